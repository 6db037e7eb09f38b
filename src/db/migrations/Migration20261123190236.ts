import { Migration } from '@mikro-orm/migrations';

export class Migration20261123190236 extends Migration {
  override name = 'Migration20261123190236';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "admin_audit_log" ("id" serial primary key, "actor_id" int null, "actor_name" varchar(64) not null, "action" varchar(64) not null, "target_type" varchar(32) not null, "target_id" varchar(64) not null, "reason" varchar(500) null, "detail" jsonb null, "created_at" timestamptz not null);`,
    );
    this.addSql(`create index "admin_audit_log_actor_id_index" on "admin_audit_log" ("actor_id");`);
    this.addSql(`create index "admin_audit_log_action_index" on "admin_audit_log" ("action");`);
    this.addSql(`create index "admin_audit_log_created_at_index" on "admin_audit_log" ("created_at");`);

    this.addSql(
      `create table "outbox_emails" ("id" serial primary key, "recipient" varchar(254) not null, "subject" varchar(200) not null, "body" text not null, "transport" varchar(16) not null, "sent_at" timestamptz null, "error" text null, "created_at" timestamptz not null);`,
    );
    this.addSql(`create index "outbox_emails_recipient_index" on "outbox_emails" ("recipient");`);

    this.addSql(
      `create table "revoked_access_tokens" ("jti" uuid not null, "user_id" int not null, "expires_at" timestamptz not null, primary key ("jti"));`,
    );
    this.addSql(`create index "revoked_access_tokens_expires_at_index" on "revoked_access_tokens" ("expires_at");`);

    this.addSql(
      `create table "users" ("id" serial primary key, "username" varchar(32) not null, "email" varchar(254) not null, "password_hash" text not null, "nickname" varchar(64) not null, "bio" text not null default '', "avatar_file_id" int null, "role" text not null default 'user', "status" text not null default 'active', "ban_reason" varchar(500) null, "token_version" int not null default 0, "last_seen_at" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null);`,
    );
    this.addSql(`alter table "users" add constraint "users_username_unique" unique ("username");`);
    this.addSql(`alter table "users" add constraint "users_email_unique" unique ("email");`);
    this.addSql(
      `alter table "users" add constraint "users_role_check" check ("role" in ('user', 'operator', 'admin'));`,
    );
    this.addSql(`alter table "users" add constraint "users_status_check" check ("status" in ('active', 'banned'));`);

    this.addSql(
      `create table "refresh_tokens" ("id" uuid not null, "user_id" int not null, "family_id" uuid not null, "token_hash" varchar(64) not null, "expires_at" timestamptz not null, "used_at" timestamptz null, "revoked_at" timestamptz null, "created_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`create index "refresh_tokens_family_id_index" on "refresh_tokens" ("family_id");`);
    this.addSql(
      `alter table "refresh_tokens" add constraint "refresh_tokens_token_hash_unique" unique ("token_hash");`,
    );

    this.addSql(
      `create table "password_reset_tokens" ("id" uuid not null, "user_id" int not null, "token_hash" varchar(64) not null, "expires_at" timestamptz not null, "used_at" timestamptz null, "created_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(
      `alter table "password_reset_tokens" add constraint "password_reset_tokens_token_hash_unique" unique ("token_hash");`,
    );

    this.addSql(
      `alter table "refresh_tokens" add constraint "refresh_tokens_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`,
    );

    this.addSql(
      `alter table "password_reset_tokens" add constraint "password_reset_tokens_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`,
    );
  }
}
