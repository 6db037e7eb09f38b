import { Migration } from '@mikro-orm/migrations';

export class Migration20261129220705_import_records extends Migration {
  override name = 'Migration20261129220705_import_records';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "import_records" ("id" serial primary key, "source" varchar(32) not null, "kind" varchar(16) not null, "source_key" varchar(200) not null, "target_id" int not null, "created_at" timestamptz not null);`,
    );
    this.addSql(
      `alter table "import_records" add constraint "import_records_source_kind_source_key_unique" unique ("source", "kind", "source_key");`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "import_records" cascade;`);
  }
}
