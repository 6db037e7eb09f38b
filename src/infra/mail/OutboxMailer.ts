import nodemailer, { type Transporter } from 'nodemailer';
import type { EntityManager } from '@mikro-orm/sql';
import type { Logger } from 'pino';
import { OutboxEmail } from '../../../entities/OutboxEmail.ts';
import type { Mailer, MailMessage } from '../../domain/mail/Mailer.ts';

/**
 * Records every message in the outbox table, then delivers it over SMTP when SMTP_URL is set.
 * Without SMTP the outbox (readable by admins at GET /admin/outbox) is the delivery. The log
 * names the message but never carries its body: bodies hold secrets such as reset tokens.
 */
export class OutboxMailer implements Mailer {
  private readonly smtp?: Transporter;

  constructor(
    private readonly em: EntityManager,
    private readonly logger: Logger,
    options: { smtpUrl?: string; from: string },
  ) {
    this.from = options.from;
    if (options.smtpUrl) this.smtp = nodemailer.createTransport(options.smtpUrl);
  }

  private readonly from: string;

  async send(message: MailMessage): Promise<void> {
    const em = this.em.fork();
    const row = em.create(OutboxEmail, {
      recipient: message.to,
      subject: message.subject,
      body: message.text,
      transport: this.smtp ? 'smtp' : 'outbox',
      sentAt: this.smtp ? null : new Date(),
    });
    await em.flush();
    this.logger.info({ outbox_id: row.id, to: message.to, subject: message.subject }, 'e-mail recorded in outbox');
    if (!this.smtp) return;
    try {
      await this.smtp.sendMail({ from: this.from, to: message.to, subject: message.subject, text: message.text });
      row.sentAt = new Date();
    } catch (err) {
      row.error = (err as Error).message;
      this.logger.warn({ outbox_id: row.id, err: (err as Error).message }, 'SMTP delivery failed; message kept in outbox');
    }
    await em.flush();
  }
}
