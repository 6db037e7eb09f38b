import type { EntityManager } from '@mikro-orm/sql';
import { z } from 'zod';
import { Notification, type NotificationType } from '../../../entities/Notification.ts';
import { decodeCursor, toPage, type Page } from '../shared/pagination.ts';
import { channels, type HomeEvent, type RealtimeBus } from './RealtimeBus.ts';
import { notificationView, type NotificationView } from './views.ts';

export interface NewNotification {
  type: NotificationType;
  text: string;
  fromUserId?: number | null;
  groupId?: number | null;
}

/** Most unread notifications handed to a device when it joins `home` (the rest stay listed over REST). */
const UNREAD_ON_JOIN = 100;

/**
 * What a user is told about (follows, invitations, removals, admin notices). Each one is stored first,
 * then pushed to the user's home if a device is there; unread ones wait for the next home join.
 */
export class NotificationService {
  constructor(
    private readonly em: EntityManager,
    private readonly bus: RealtimeBus,
  ) {}

  async notify(userId: number, input: NewNotification): Promise<NotificationView> {
    const row = this.em.create(Notification, {
      userId,
      type: input.type,
      text: input.text,
      fromUserId: input.fromUserId ?? null,
      groupId: input.groupId ?? null,
    });
    await this.em.flush();
    const view = notificationView(row);
    this.bus.publish(channels.home(userId), { kind: 'notification', notification: view } satisfies HomeEvent);
    return view;
  }

  /** The unread ones, oldest first: what a joining home device receives. */
  async unread(userId: number): Promise<NotificationView[]> {
    const rows = await this.em.find(
      Notification,
      { userId, readAt: null },
      { orderBy: { id: 'asc' }, limit: UNREAD_ON_JOIN },
    );
    return rows.map(notificationView);
  }

  /** Newest first, keyset paged. */
  async list(
    userId: number,
    input: { cursor?: string; limit: number; unread?: boolean },
  ): Promise<Page<NotificationView>> {
    const after = decodeCursor(input.cursor, z.tuple([z.number().int()]));
    const where: Record<string, unknown> = { userId };
    if (input.unread) where.readAt = null;
    if (after) where.id = { $lt: after[0] };
    const rows = await this.em.find(Notification, where, { orderBy: { id: 'desc' }, limit: input.limit + 1 });
    return toPage(rows, input.limit, notificationView, (n) => [n.id]);
  }

  /** Marks the given ones (or all) of the user's notifications read. Returns how many changed. */
  async markRead(userId: number, input: { ids?: number[]; all?: boolean }): Promise<number> {
    const where: Record<string, unknown> = { userId, readAt: null };
    if (!input.all) where.id = { $in: input.ids ?? [] };
    return this.em.nativeUpdate(Notification, where, { readAt: new Date() });
  }
}
