import { Migration } from '@mikro-orm/migrations';

export class Migration20261129230200_chat_attachments extends Migration {
  override name = 'Migration20261129230200_chat_attachments';

  override up(): void | Promise<void> {
    this.addSql(`alter table "files" add "chat_message_id" int null, add "direct_message_id" int null;`);
    this.addSql(`create index "files_chat_message_id_index" on "files" ("chat_message_id");`);
    this.addSql(`create index "files_direct_message_id_index" on "files" ("direct_message_id");`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop index "files_chat_message_id_index";`);
    this.addSql(`drop index "files_direct_message_id_index";`);
    this.addSql(`alter table "files" drop column "chat_message_id", drop column "direct_message_id";`);
  }
}
