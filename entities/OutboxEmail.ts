import { defineEntity, p } from '@mikro-orm/core';

/**
 * Every e-mail Plaza sends, whichever transport delivered it. `body` is the text with every credential it
 * carried (reset tokens) replaced by `[redacted]`: the usable message exists only on its way to the
 * recipient (SMTP, or the mail drop in DATA_DIR that `npm run cli -- outbox` reads).
 */
const OutboxEmailSchema = defineEntity({
  name: 'OutboxEmail',
  tableName: 'outbox_emails',
  properties: {
    id: p.integer().primary().autoincrement(),
    recipient: p.string().length(254).index(),
    subject: p.string().length(200),
    body: p.text(),
    /** `smtp`, or `maildrop` when no SMTP server is configured. */
    transport: p.string().length(16),
    sentAt: p.datetime().nullable(),
    error: p.text().nullable(),
    /** SMTP delivery attempts so far. */
    attempts: p.integer().default(0),
    /** When the next SMTP attempt is due; null once sent or given up. */
    nextAttemptAt: p.datetime().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});

export class OutboxEmail extends OutboxEmailSchema.class {}
OutboxEmailSchema.setClass(OutboxEmail);
