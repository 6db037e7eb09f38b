import { Migration } from '@mikro-orm/migrations';

export class Migration20261129231000_saved_queries extends Migration {
  override name = 'Migration20261129231000_saved_queries';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "saved_queries" ("id" serial primary key, "owner_id" int not null, "name" varchar(100) not null, "sql" text not null, "chart" jsonb null, "created_at" timestamptz not null, "updated_at" timestamptz not null);`,
    );
    this.addSql(
      `alter table "saved_queries" add constraint "saved_queries_owner_id_name_unique" unique ("owner_id", "name");`,
    );

    this.addSql(
      `alter table "saved_queries" add constraint "saved_queries_owner_id_foreign" foreign key ("owner_id") references "users" ("id") on delete cascade;`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "saved_queries" cascade;`);
  }
}
