import { defineEntity, p } from '@mikro-orm/core';

export const NOTIFICATION_TYPES = ['followed', 'group_invite', 'group_removed', 'notice', 'mention'] as const;
export type NotificationType = (typeof NOTIFICATION_TYPES)[number];

/** Something a user is told about (a follow, an invitation, a removal, an admin notice, a mention), kept until read. */
const NotificationSchema = defineEntity({
  name: 'Notification',
  tableName: 'notifications',
  indexes: [{ properties: ['userId', 'id'] }],
  properties: {
    id: p.integer().primary().autoincrement(),
    userId: p.integer(),
    type: p.enum([...NOTIFICATION_TYPES]),
    text: p.text(),
    fromUserId: p.integer().nullable(),
    groupId: p.integer().nullable(),
    readAt: p.datetime().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});

export class Notification extends NotificationSchema.class {}
NotificationSchema.setClass(Notification);
