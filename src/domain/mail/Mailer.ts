/** A message to one recipient. */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  /** An HTML alternative of `text` (same content; secrets in it are listed in `secrets` too). */
  html?: string;
  /**
   * Values inside `text` that grant access (a reset token, a link carrying one). They reach the recipient
   * and nowhere else: every copy Plaza keeps shows `[redacted]` in their place.
   */
  secrets?: string[];
}

/** Delivers e-mail. Implementations live in src/infra/mail. */
export interface Mailer {
  send(message: MailMessage): Promise<void>;
}

/** The text with every secret replaced, as it may be stored and shown. */
export function redact(message: MailMessage): string {
  let text = message.text;
  for (const secret of message.secrets ?? []) if (secret) text = text.split(secret).join('[redacted]');
  return text;
}
