import { Migration } from '@mikro-orm/migrations';

export class Migration20261123191456_ssh extends Migration {
  override name = 'Migration20261123191456_ssh';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "ssh_session_lease" ("resource" varchar(32) not null, "owner_connection_id" varchar(64) not null, "owner_user_id" int not null, "owner_username" varchar(64) not null, "started_at" timestamptz not null, "renewed_at" timestamptz not null, "expires_at" timestamptz not null, primary key ("resource"));`,
    );
    this.addSql(`create index "ssh_session_lease_expires_at_index" on "ssh_session_lease" ("expires_at");`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "ssh_session_lease" cascade;`);
  }
}
