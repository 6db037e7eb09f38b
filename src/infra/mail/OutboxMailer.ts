import nodemailer, { type Transporter } from 'nodemailer';
import type { EntityManager } from '@mikro-orm/sql';
import type { Logger } from 'pino';
import { OutboxEmail } from '../../../entities/OutboxEmail.ts';
import { redact, type Mailer, type MailMessage } from '../../domain/mail/Mailer.ts';
import type { DroppedMail, MailDrop } from './MailDrop.ts';

/** When failed SMTP sends are tried again: `baseMs` doubled per attempt (at most an hour), `attempts` in all. */
export interface MailRetry {
  baseMs: number;
  attempts: number;
}

const MAX_BACKOFF_MS = 3600_000;

/**
 * Records every message in the outbox table with its credentials redacted, puts the full message in the
 * mail drop, and delivers it over SMTP when SMTP_URL is set (a delivered message leaves the drop). A
 * failed send is tried again with backoff (`retryDue`, run periodically) until it is sent or its
 * attempts run out; then it stays in the drop for the operator. Without SMTP the drop is the delivery:
 * the operator reads it with `npm run cli -- outbox`. The log names the message but never its body.
 */
export class OutboxMailer implements Mailer {
  private readonly smtp?: Transporter;
  private readonly from: string;
  private readonly retry: MailRetry;

  constructor(
    private readonly em: EntityManager,
    private readonly drop: MailDrop,
    private readonly logger: Logger,
    options: { smtpUrl?: string; from: string; retry?: MailRetry },
  ) {
    this.from = options.from;
    this.retry = options.retry ?? { baseMs: 30_000, attempts: 8 };
    if (options.smtpUrl) this.smtp = nodemailer.createTransport(options.smtpUrl);
  }

  async send(message: MailMessage): Promise<void> {
    const em = this.em.fork();
    const row = em.create(OutboxEmail, {
      recipient: message.to,
      subject: message.subject,
      body: redact(message),
      transport: this.smtp ? 'smtp' : 'maildrop',
      // Without SMTP, putting it in the drop is its delivery.
      sentAt: this.smtp ? null : new Date(),
      attempts: 0,
    });
    await em.flush();
    const dropped: DroppedMail = {
      id: row.id,
      to: message.to,
      subject: message.subject,
      text: message.text,
      ...(message.html ? { html: message.html } : {}),
      created_at: row.createdAt.toISOString(),
    };
    this.drop.put(dropped);
    this.logger.info(
      { outbox_id: row.id, to: message.to, subject: message.subject, transport: row.transport },
      'e-mail recorded in outbox',
    );
    if (!this.smtp) return;
    await this.attempt(row, dropped);
    await em.flush();
  }

  /** Tries again every failed SMTP send whose time has come; returns how many were sent. */
  async retryDue(now = new Date()): Promise<number> {
    if (!this.smtp) return 0;
    const em = this.em.fork();
    const due = await em.find(
      OutboxEmail,
      { sentAt: null, transport: 'smtp', nextAttemptAt: { $lte: now } },
      { orderBy: { id: 'asc' }, limit: 50 },
    );
    let sent = 0;
    for (const row of due) {
      // Claim it: another process retrying the same row at the same moment updates nothing.
      const claimed = await em.nativeUpdate(
        OutboxEmail,
        { id: row.id, nextAttemptAt: row.nextAttemptAt },
        { nextAttemptAt: new Date(now.getTime() + MAX_BACKOFF_MS) },
      );
      if (claimed === 0) continue;
      const dropped = this.drop.get(row.id);
      if (!dropped) {
        // The operator took it out of the drop (npm run cli -- outbox): it is theirs now.
        await em.nativeUpdate(
          OutboxEmail,
          { id: row.id },
          { nextAttemptAt: null, error: 'removed from the mail drop' },
        );
        continue;
      }
      if (await this.attempt(row, dropped)) sent++;
      await em.nativeUpdate(
        OutboxEmail,
        { id: row.id },
        { sentAt: row.sentAt, attempts: row.attempts, nextAttemptAt: row.nextAttemptAt, error: row.error },
      );
    }
    return sent;
  }

  /** One SMTP attempt; on failure schedules the next one (or gives up). Updates `row` in memory. */
  private async attempt(row: OutboxEmail, mail: DroppedMail): Promise<boolean> {
    row.attempts += 1;
    try {
      await this.smtp!.sendMail({
        from: this.from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
      });
      row.sentAt = new Date();
      row.nextAttemptAt = null;
      row.error = null;
      this.drop.remove(row.id);
      if (row.attempts > 1) this.logger.info({ outbox_id: row.id, attempts: row.attempts }, 'e-mail sent on retry');
      return true;
    } catch (err) {
      row.error = (err as Error).message;
      const left = this.retry.attempts - row.attempts;
      row.nextAttemptAt =
        left > 0 ? new Date(Date.now() + Math.min(this.retry.baseMs * 2 ** (row.attempts - 1), MAX_BACKOFF_MS)) : null;
      this.logger[left > 0 ? 'warn' : 'error'](
        { outbox_id: row.id, attempts: row.attempts, next_attempt_at: row.nextAttemptAt, err: row.error },
        left > 0
          ? 'SMTP delivery failed; will retry'
          : 'SMTP delivery failed for the last time; message kept in the mail drop for the operator',
      );
      return false;
    }
  }
}
