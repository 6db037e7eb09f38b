import nodemailer, { type Transporter } from 'nodemailer';
import type { EntityManager } from '@mikro-orm/sql';
import type { Logger } from 'pino';
import { OutboxEmail } from '../../../entities/OutboxEmail.ts';
import { redact, type Mailer, type MailMessage } from '../../domain/mail/Mailer.ts';
import type { MailDrop } from './MailDrop.ts';

/**
 * Records every message in the outbox table with its credentials redacted, puts the full message in the
 * mail drop, and delivers it over SMTP when SMTP_URL is set (a delivered message leaves the drop; one
 * that failed stays for the operator). Without SMTP the drop is the delivery: the operator reads it with
 * `npm run cli -- outbox`. The log names the message but never carries its body.
 */
export class OutboxMailer implements Mailer {
  private readonly smtp?: Transporter;
  private readonly from: string;

  constructor(
    private readonly em: EntityManager,
    private readonly drop: MailDrop,
    private readonly logger: Logger,
    options: { smtpUrl?: string; from: string },
  ) {
    this.from = options.from;
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
    });
    await em.flush();
    this.drop.put({
      id: row.id,
      to: message.to,
      subject: message.subject,
      text: message.text,
      created_at: row.createdAt.toISOString(),
    });
    this.logger.info(
      { outbox_id: row.id, to: message.to, subject: message.subject, transport: row.transport },
      'e-mail recorded in outbox',
    );
    if (!this.smtp) return;
    try {
      await this.smtp.sendMail({ from: this.from, to: message.to, subject: message.subject, text: message.text });
      row.sentAt = new Date();
      this.drop.remove(row.id);
    } catch (err) {
      row.error = (err as Error).message;
      this.logger.warn(
        { outbox_id: row.id, err: (err as Error).message },
        'SMTP delivery failed; message kept in the mail drop',
      );
    }
    await em.flush();
  }
}
