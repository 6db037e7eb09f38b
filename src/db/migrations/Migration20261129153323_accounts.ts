import { Migration } from '@mikro-orm/migrations';

export class Migration20261129153323_accounts extends Migration {
  override name = 'Migration20261129153323_accounts';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "token_revocations" ("id" serial primary key, "family_id" uuid null, "user_id" int null, "token_version" int null, "role" text null, "revoked_at" timestamptz not null);`,
    );
    this.addSql(`create index "token_revocations_revoked_at_index" on "token_revocations" ("revoked_at");`);

    this.addSql(`drop table if exists "revoked_access_tokens" cascade;`);

    this.addSql(
      `alter table "token_revocations" add constraint "token_revocations_role_check" check ("role" in ('user', 'operator', 'admin'));`,
    );

    // Stored mail keeps no usable credential: redact reset tokens recorded before bodies were redacted.
    this.addSql(
      `update "outbox_emails" set "body" = regexp_replace("body", 'Reset token: \\S+', 'Reset token: [redacted]', 'g') where "body" like '%Reset token: %';`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(
      `create table "revoked_access_tokens" ("jti" uuid not null, "user_id" int4 not null, "expires_at" timestamptz(6) not null, primary key ("jti"));`,
    );
    this.addSql(`create index "revoked_access_tokens_expires_at_index" on "revoked_access_tokens" ("expires_at");`);

    this.addSql(`drop table if exists "token_revocations" cascade;`);
  }
}
