import { Migration } from '@mikro-orm/migrations';

export class Migration20261129230300_chat_mentions extends Migration {
  override name = 'Migration20261129230300_chat_mentions';

  override up(): void | Promise<void> {
    this.addSql(`alter table "notifications" drop constraint "notifications_type_check";`);
    this.addSql(
      `alter table "notifications" add constraint "notifications_type_check" check ("type" in ('followed', 'group_invite', 'group_removed', 'notice', 'mention'));`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "notifications" drop constraint "notifications_type_check";`);
    this.addSql(
      `alter table "notifications" add constraint "notifications_type_check" check ("type" in ('followed', 'group_invite', 'group_removed', 'notice'));`,
    );
  }
}
