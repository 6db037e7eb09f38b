import { RequestContext } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/sql';
import type { Logger } from 'pino';
import { User } from '../../../entities/User.ts';
import type { NotificationService } from '../realtime/NotificationService.ts';
import { channels, type HomeEvent, type RealtimeBus } from '../realtime/RealtimeBus.ts';
import { describeDatabaseEvent, type DatabaseEvent } from './DatabaseWatch.ts';

/**
 * Tells every admin about database events in their `home`, as notices. While the database is away a
 * notice cannot be stored, so the admins (known from the last time the database answered) get it live,
 * with id 0; when it returns, the recovery notice is stored like any other and pushed.
 */
export class AdminAlerts {
  private admins: number[] = [];

  constructor(
    private readonly em: EntityManager,
    private readonly bus: RealtimeBus,
    private readonly notifications: NotificationService,
    private readonly log: Logger,
  ) {}

  /** Reloads who the admins are; kept as it was when the database does not answer. */
  async refreshAdmins(): Promise<void> {
    try {
      const rows = await this.em.fork().find(User, { role: 'admin' });
      this.admins = rows.map((u) => u.id);
    } catch (err) {
      this.log.debug({ err }, 'admin list not refreshed');
    }
  }

  async onDatabaseEvent(event: DatabaseEvent): Promise<void> {
    const text = describeDatabaseEvent(event);
    if (event.event === 'database_unavailable') {
      const notification = {
        id: 0,
        type: 'notice' as const,
        text,
        from_user_id: null,
        group_id: null,
        read: false,
        created_at: event.since.toISOString(),
      };
      for (const userId of this.admins) {
        this.bus.publish(channels.home(userId), { kind: 'notification', notification } satisfies HomeEvent);
      }
      return;
    }
    await this.refreshAdmins();
    // Notifications are stored through the request-scoped EntityManager, as every unit of work is.
    await RequestContext.create(this.em, async () => {
      for (const userId of this.admins) await this.notifications.notify(userId, { type: 'notice', text });
    });
  }
}
