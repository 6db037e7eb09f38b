import { Migration } from '@mikro-orm/migrations';

export class Migration20261129161955_ai_fair_claim extends Migration {
  override name = 'Migration20261129161955_ai_fair_claim';

  override up(): void | Promise<void> {
    this.addSql(`create index "ai_jobs_owner_id_started_at_index" on "ai_jobs" ("owner_id", "started_at");`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop index "ai_jobs_owner_id_started_at_index";`);
  }
}
