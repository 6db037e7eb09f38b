import { mailDrop } from '../services.ts';
import type { CliCommand } from './command.ts';

/** The mail drop is a directory, not the database: it can be read while the server runs, on PGlite too. */
export const outbox: CliCommand = {
  usage: '[--keep]',
  description:
    'Print the mail waiting for delivery (reset links without SMTP), then remove it from the mail drop\n(--keep leaves it there).',
  options: { keep: { type: 'boolean' } },
  async run({ config, options }) {
    const drop = mailDrop(config);
    const waiting = drop.list();
    if (waiting.length === 0) return `No mail waiting in ${drop.dir}.`;
    const shown = waiting.map(
      (m) => `--- mail ${m.id}, ${m.created_at}\nTo: ${m.to}\nSubject: ${m.subject}\n\n${m.text}\n`,
    );
    if (!options.keep) for (const m of waiting) drop.remove(m.id);
    const note = options.keep ? 'left in the mail drop' : 'removed from the mail drop: deliver them now';
    return `${shown.join('\n')}\n${waiting.length} message(s) ${note}.`;
  },
};
