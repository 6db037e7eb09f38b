import { defineEntity, p } from '@mikro-orm/core';

/** Every e-mail Plaza sends, whichever transport delivered it. */
const OutboxEmailSchema = defineEntity({
  name: 'OutboxEmail',
  tableName: 'outbox_emails',
  properties: {
    id: p.integer().primary().autoincrement(),
    recipient: p.string().length(254).index(),
    subject: p.string().length(200),
    body: p.text(),
    transport: p.string().length(16),
    sentAt: p.datetime().nullable(),
    error: p.text().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});

export class OutboxEmail extends OutboxEmailSchema.class {}
OutboxEmailSchema.setClass(OutboxEmail);
