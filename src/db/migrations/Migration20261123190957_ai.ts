import { Migration } from '@mikro-orm/migrations';

export class Migration20261123190957_ai extends Migration {
  override name = 'Migration20261123190957_ai';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "ai_model_settings" ("model" varchar(64) not null, "enabled" boolean not null default true, "timeout_ms" int null, "updated_by" int null, "updated_at" timestamptz not null, primary key ("model"));`,
    );

    this.addSql(
      `create table "ai_trained_models" ("id" serial primary key, "owner_id" int not null, "model" varchar(64) not null, "model_version" varchar(32) not null, "source_job_id" int not null, "state" jsonb not null, "summary" jsonb not null, "created_at" timestamptz not null);`,
    );
    this.addSql(`create index "ai_trained_models_owner_id_index" on "ai_trained_models" ("owner_id");`);

    this.addSql(
      `create table "ai_jobs" ("id" serial primary key, "owner_id" int not null, "model" varchar(64) not null, "model_version" varchar(32) not null, "task" text not null, "status" text not null default 'queued', "progress" int not null default 0, "input" jsonb null, "params" jsonb not null, "dataset" text null, "trained_model_id" int null, "result" jsonb null, "error" jsonb null, "attempts" int not null default 0, "runner_id" varchar(64) null, "heartbeat_at" timestamptz null, "created_at" timestamptz not null, "started_at" timestamptz null, "finished_at" timestamptz null, "updated_at" timestamptz not null);`,
    );
    this.addSql(`create index "ai_jobs_owner_id_index" on "ai_jobs" ("owner_id");`);
    this.addSql(`create index "ai_jobs_status_id_index" on "ai_jobs" ("status", "id");`);

    this.addSql(
      `alter table "ai_trained_models" add constraint "ai_trained_models_owner_id_foreign" foreign key ("owner_id") references "users" ("id") on delete cascade;`,
    );

    this.addSql(
      `alter table "ai_jobs" add constraint "ai_jobs_owner_id_foreign" foreign key ("owner_id") references "users" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "ai_jobs" add constraint "ai_jobs_task_check" check ("task" in ('train', 'predict', 'score'));`,
    );
    this.addSql(
      `alter table "ai_jobs" add constraint "ai_jobs_status_check" check ("status" in ('queued', 'running', 'succeeded', 'failed', 'cancelled', 'timed_out'));`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "ai_model_settings" cascade;`);
    this.addSql(`drop table if exists "ai_trained_models" cascade;`);
    this.addSql(`drop table if exists "ai_jobs" cascade;`);
  }
}
