/** A message to one recipient. */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
}

/** Delivers e-mail. Implementations live in src/infra/mail. */
export interface Mailer {
  send(message: MailMessage): Promise<void>;
}
