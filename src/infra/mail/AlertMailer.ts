import nodemailer, { type Transporter } from 'nodemailer';
import type { Logger } from 'pino';
import { describeDatabaseEvent, type DatabaseEvent } from '../../domain/ops/DatabaseWatch.ts';

/**
 * E-mails database events to the operator's ALERT_EMAIL straight over SMTP: the outbox lives in the
 * database, which is exactly what is missing when the first of these is sent.
 */
export class AlertMailer {
  private readonly smtp: Transporter;

  constructor(
    smtpUrl: string,
    private readonly options: { from: string; to: string; log: Logger },
  ) {
    this.smtp = nodemailer.createTransport(smtpUrl);
  }

  async onDatabaseEvent(event: DatabaseEvent): Promise<void> {
    const subject =
      event.event === 'database_unavailable' ? 'Plaza: database unavailable' : 'Plaza: database recovered';
    try {
      await this.smtp.sendMail({
        from: this.options.from,
        to: this.options.to,
        subject,
        text: describeDatabaseEvent(event),
      });
      this.options.log.info({ event: event.event, to: this.options.to }, 'alert e-mail sent');
    } catch (err) {
      this.options.log.error({ err: (err as Error).message, event: event.event }, 'alert e-mail could not be sent');
    }
  }

  close(): void {
    this.smtp.close();
  }
}
