import { Migration } from '@mikro-orm/migrations';

export class Migration20261129185543_accounts_moderation extends Migration {
  override name = 'Migration20261129185543_accounts_moderation';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "login_sessions" ("id" uuid not null, "user_id" int not null, "address" varchar(64) not null, "user_agent" varchar(300) null, "created_at" timestamptz not null, "last_used_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`create index "login_sessions_user_id_index" on "login_sessions" ("user_id");`);

    this.addSql(
      `create table "email_tokens" ("id" uuid not null, "user_id" int not null, "purpose" text not null, "email" varchar(254) not null, "token_hash" varchar(64) not null, "expires_at" timestamptz not null, "used_at" timestamptz null, "created_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`create index "email_tokens_user_id_index" on "email_tokens" ("user_id");`);
    this.addSql(`alter table "email_tokens" add constraint "email_tokens_token_hash_unique" unique ("token_hash");`);

    this.addSql(`alter table "users" drop constraint "users_status_check";`);
    this.addSql(
      `alter table "users" add "banned_until" timestamptz null, add "email_verified_at" timestamptz null, add "deleted_at" timestamptz null, add "held_username" varchar(32) null;`,
    );
    this.addSql(`create index "users_held_username_index" on "users" ("held_username");`);
    this.addSql(
      `alter table "users" add constraint "users_status_check" check ("status" in ('active', 'banned', 'deleted'));`,
    );

    this.addSql(
      `alter table "login_sessions" add constraint "login_sessions_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`,
    );

    this.addSql(
      `alter table "email_tokens" add constraint "email_tokens_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "email_tokens" add constraint "email_tokens_purpose_check" check ("purpose" in ('verify', 'change'));`,
    );

    // Accounts made before verification existed keep signing in under EMAIL_VERIFICATION=required.
    this.addSql(`update "users" set "email_verified_at" = "created_at" where "email_verified_at" is null;`);
    // Logins made before the device list existed appear in it, from an unknown address.
    this.addSql(
      `insert into "login_sessions" ("id", "user_id", "address", "user_agent", "created_at", "last_used_at") select "family_id", min("user_id"), 'unknown', null, min("created_at"), max("created_at") from "refresh_tokens" group by "family_id";`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "login_sessions" cascade;`);
    this.addSql(`drop table if exists "email_tokens" cascade;`);

    this.addSql(`drop index "users_held_username_index";`);
    this.addSql(`alter table "users" drop constraint "users_status_check";`);
    this.addSql(
      `alter table "users" drop column "banned_until", drop column "email_verified_at", drop column "deleted_at", drop column "held_username";`,
    );
    this.addSql(`alter table "users" add constraint "users_status_check" check ("status" in ('active', 'banned'));`);
  }
}
