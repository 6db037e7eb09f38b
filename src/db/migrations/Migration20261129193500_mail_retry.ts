import { Migration } from '@mikro-orm/migrations';

export class Migration20261129193500_mail_retry extends Migration {
  override name = 'Migration20261129193500_mail_retry';

  override up(): void | Promise<void> {
    this.addSql(`alter table "outbox_emails" add column "attempts" int not null default 0;`);
    this.addSql(`alter table "outbox_emails" add column "next_attempt_at" timestamptz null;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "outbox_emails" drop column "next_attempt_at", drop column "attempts";`);
  }
}
