import { RequestContext } from '@mikro-orm/core';
import { KlavImport, type KlavImportReport, type Tally } from '../domain/import/KlavImport.ts';
import { readKlavData } from '../domain/import/klavRecords.ts';
import { KlavDirError, readKlavDir } from '../infra/import/readKlavDir.ts';
import { CommandFailure, required, type CliCommand } from './command.ts';

/** sysexits.h: the input data was incorrect in some way (here: some records were left out). */
const EX_DATAERR = 65;
/** sysexits.h: an input file did not exist or was not readable. */
const EX_NOINPUT = 66;

/** Klav's JSON state into Plaza (docs/operations.md, "Migrating from Klav"). */
export const importKlav: CliCommand = {
  usage: '--dir <dir> [--dry-run]',
  description:
    "Import Klav's users.json, chat_state.json and friends_state.json from <dir>: users, rooms as groups\n" +
    'with members and history, follows. Safe to run again (what was imported is left unchanged). Records\n' +
    'that cannot be imported are listed with their place and skipped (exit code 65). --dry-run only counts.',
  options: { dir: { type: 'string' }, 'dry-run': { type: 'boolean' } },
  async run({ options, services }) {
    const dir = required(options, 'dir');
    const read = await readKlavDir(dir).catch((err: unknown) => {
      throw err instanceof KlavDirError ? new CommandFailure(err.message, EX_NOINPUT) : err;
    });
    const data = readKlavData(read.files);
    data.problems.unshift(...read.problems);
    const s = await services();
    const report = await RequestContext.create(s.orm.em, () =>
      new KlavImport(s.orm.em).run(data, { dryRun: options['dry-run'] === true }),
    );
    return {
      output: summary(report),
      warnings: report.problems.map((p) => `skipped ${p.at}: ${p.message}`).join('\n'),
      exitCode: report.problems.length ? EX_DATAERR : 0,
    };
  },
};

function summary(r: KlavImportReport): string {
  const verb = r.dryRun ? 'would create' : 'created';
  const line = (what: string, t: Tally) => `  ${what}: ${verb} ${t.created}, already imported ${t.unchanged}`;
  const nothing = !r.dryRun && r.users.created + r.groups.created + r.follows.created === 0;
  return [
    r.dryRun
      ? 'Dry run: nothing was written.'
      : nothing
        ? 'Nothing to do: everything was already imported.'
        : 'Imported from Klav.',
    line('users', r.users),
    `${line('groups', r.groups)} (${verb} ${r.members} memberships, ${r.messages} messages)`,
    line('follows', r.follows),
    `  skipped records: ${r.problems.length}`,
  ].join('\n');
}
