import type { ParseArgsOptionsConfig } from 'node:util';
import type { Config } from '../config.ts';
import type { Services } from '../services.ts';

/** What a command receives: the configuration, its parsed options and arguments, and the services on demand. */
export interface CommandContext {
  config: Config;
  options: Record<string, string | boolean | undefined>;
  positionals: string[];
  /** Opens the database (migrated) and builds the services; closed by the CLI when the command ends. */
  services: () => Promise<Services>;
  /** True when a person sits at the terminal (standard input is a TTY): commands may ask. */
  interactive: boolean;
  /** Asks a yes/no question on the terminal. */
  confirm: (question: string) => Promise<boolean>;
}

/** One CLI command: how it is called, what it accepts, what it does (its answer is printed). */
export interface CliCommand {
  /** The arguments after the command name, e.g. `--username <name> [--reason <text>]`. */
  usage: string;
  /** One or more lines saying what it does. */
  description: string;
  options?: ParseArgsOptionsConfig;
  /** Most positional arguments it takes (default 0). */
  maxPositionals?: number;
  run(context: CommandContext): Promise<string | CommandResult>;
}

/** A mistake in how the command was called: printed with the command's usage, exit code 64. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export function required(options: CommandContext['options'], name: string): string {
  const value = options[name];
  if (typeof value !== 'string' || !value) throw new UsageError(`--${name} is required`);
  return value;
}

/** The command could not do its work for a reason the operator can fix: printed without a stack trace. */
export class CommandFailure extends Error {
  override name = 'CommandFailure';
  constructor(
    message: string,
    /** The process's exit code (sysexits.h where one fits). */
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/** What a command prints, with an exit code other than 0 when it finished with something to fix. */
export interface CommandResult {
  output: string;
  /** Printed on standard error. */
  warnings?: string;
  exitCode: number;
}
