import fs from 'node:fs';
import path from 'node:path';

/** A message waiting in the mail drop, in full: the only place its credentials are kept. */
export interface DroppedMail {
  id: number;
  to: string;
  subject: string;
  text: string;
  /** The HTML alternative, when the message has one. */
  html?: string;
  created_at: string;
}

/**
 * Messages not yet delivered, one file each (mode 0600) in a directory only the server's user may read
 * (DATA_DIR/mail), outside the database: no admin, API or SQL console reaches them. Without SMTP this is
 * how mail reaches the operator (`npm run cli -- outbox`); with SMTP it holds what could not be sent.
 */
export class MailDrop {
  constructor(readonly dir: string) {}

  put(mail: DroppedMail): void {
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const tmp = path.join(this.dir, `.${mail.id}.tmp`);
    fs.writeFileSync(tmp, JSON.stringify(mail), { mode: 0o600 });
    fs.renameSync(tmp, this.file(mail.id));
  }

  /** Every waiting message, oldest first. */
  list(): DroppedMail[] {
    let names: string[];
    try {
      names = fs.readdirSync(this.dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    return names
      .filter((name) => /^\d+\.json$/.test(name))
      .map((name) => JSON.parse(fs.readFileSync(path.join(this.dir, name), 'utf8')) as DroppedMail)
      .sort((a, b) => a.id - b.id);
  }

  /** One waiting message, if it is still there. */
  get(id: number): DroppedMail | undefined {
    try {
      return JSON.parse(fs.readFileSync(this.file(id), 'utf8')) as DroppedMail;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  remove(id: number): void {
    fs.rmSync(this.file(id), { force: true });
  }

  private file(id: number): string {
    return path.join(this.dir, `${id}.json`);
  }
}
