import { Migration } from '@mikro-orm/migrations';

export class Migration20261129230000_chat_dm_changes extends Migration {
  override name = 'Migration20261129230000_chat_dm_changes';

  override up(): void | Promise<void> {
    this.addSql(`alter table "direct_messages" add "edited_at" timestamptz null, add "deleted_at" timestamptz null;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "direct_messages" drop column "edited_at", drop column "deleted_at";`);
  }
}
