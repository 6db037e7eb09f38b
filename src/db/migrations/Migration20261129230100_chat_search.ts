import { Migration } from '@mikro-orm/migrations';

export class Migration20261129230100_chat_search extends Migration {
  override name = 'Migration20261129230100_chat_search';

  override up(): void | Promise<void> {
    this.addSql(`create index "chat_messages_text_trgm_index" on "chat_messages" using gin ("text" gin_trgm_ops);`);

    this.addSql(`create index "direct_messages_text_trgm_index" on "direct_messages" using gin ("text" gin_trgm_ops);`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop index "chat_messages_text_trgm_index";`);

    this.addSql(`drop index "direct_messages_text_trgm_index";`);
  }
}
