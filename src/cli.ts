/**
 * Server-side administration, never exposed over the API: accounts with roles the API never grants,
 * bans, the mail waiting for the operator, backups and imports. `npm run cli -- --help` lists them.
 */
import readline from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from './config.ts';
import { createLogger } from './logging/logger.ts';
import { DatabaseOpenError, openDatabase, targetFromConfig, type OpenedDatabase } from './db/openDatabase.ts';
import { LocalPresence } from '@colyseus/core';
import { buildServices, type Services } from './services.ts';
import { readStartupFiles } from './startupFiles.ts';
import { PresenceBus } from './infra/realtime/PresenceBus.ts';
import { AppError } from './errors/index.ts';
import { BackupError } from './infra/backup/databaseBackup.ts';
import { CommandFailure, UsageError, type CliCommand, type CommandContext } from './cli/command.ts';
import { ban, createAdmin, promote, unban } from './cli/accountCommands.ts';
import { outbox } from './cli/mailCommands.ts';
import { backup, backups, restore } from './cli/backupCommands.ts';
import { seedUsersCommand } from './cli/loadCommands.ts';
import { importKlav } from './cli/importCommands.ts';

/** Every command, one line each. */
const commands: Record<string, CliCommand> = {
  'create-admin': createAdmin,
  promote,
  ban,
  unban,
  outbox,
  backup,
  backups,
  restore,
  'seed-users': seedUsersCommand,
  'import-klav': importKlav,
};

const EX_USAGE = 64;

function usageOf(name: string, command: CliCommand): string {
  const description = command.description
    .split('\n')
    .map((line) => `      ${line}`)
    .join('\n');
  return `  npm run cli -- ${name}${command.usage ? ` ${command.usage}` : ''}\n${description}`;
}

function overview(): string {
  return [
    'Usage: npm run cli -- <command> [options]      (npm run cli -- <command> --help for one command)',
    '',
    'Commands:',
    ...Object.entries(commands).map(([name, command]) => usageOf(name, command)),
    '',
    'Settings come from the environment, as for the server (README: Configuration).',
  ].join('\n');
}

/** Runs one command line; returns the exit code. Output goes to stdout, problems to stderr. */
async function main(argv: string[]): Promise<number> {
  const name = argv[0];
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(overview());
    return name ? 0 : EX_USAGE;
  }
  const command = commands[name];
  if (!command) {
    console.error(`Unknown command "${name}".\n\n${overview()}`);
    return EX_USAGE;
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: argv.slice(1),
      options: { ...command.options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    // node:util names the option and why (unknown, missing value); say it without a stack trace.
    console.error(`${(err as Error).message}\n\nUsage:\n${usageOf(name, command)}`);
    return EX_USAGE;
  }
  if (parsed.values.help) {
    console.log(`Usage:\n${usageOf(name, command)}`);
    return 0;
  }
  if (parsed.positionals.length > (command.maxPositionals ?? 0)) {
    console.error(`Unexpected argument "${parsed.positionals.at(-1)}".\n\nUsage:\n${usageOf(name, command)}`);
    return EX_USAGE;
  }

  const config = loadConfig();
  let database: OpenedDatabase | undefined;
  let services: Services | undefined;
  const context: CommandContext = {
    config,
    options: parsed.values as CommandContext['options'],
    positionals: parsed.positionals,
    interactive: Boolean(process.stdin.isTTY),
    services: async () => {
      if (services) return services;
      // No worker thread for an embedded database here: nothing else runs in the CLI to be stalled, and it opens faster.
      database = await openDatabase(targetFromConfig(config), { embeddedThread: false });
      services = buildServices({
        ...readStartupFiles(config, { sshServers: false }),
        config,
        logger: createLogger({ level: 'warn', pretty: false }),
        orm: database.orm,
        bus: new PresenceBus(new LocalPresence()),
      });
      return services;
    },
    confirm: async (question) => {
      const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
      try {
        return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
      } finally {
        rl.close();
      }
    },
  };
  try {
    const result = await command.run(context);
    if (typeof result === 'string') {
      console.log(result);
      return 0;
    }
    console.log(result.output);
    if (result.warnings) console.error(result.warnings);
    return result.exitCode;
  } catch (err) {
    if (err instanceof CommandFailure) {
      console.error(err.message);
      return err.exitCode;
    }
    if (err instanceof UsageError) {
      console.error(`${err.message}\n\nUsage:\n${usageOf(name, command)}`);
      return EX_USAGE;
    }
    throw err;
  } finally {
    await database?.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    if (err instanceof AppError) console.error(`${err.message}${err.detail ? `: ${JSON.stringify(err.detail)}` : ''}`);
    else if (err instanceof ConfigError || err instanceof DatabaseOpenError || err instanceof BackupError)
      console.error(err.message);
    else console.error(err);
    process.exit(1);
  },
);
