/**
 * The one way every command of the project is built (caption, train, evaluate, extract-features,
 * make-shapes, bench, plot-training, convert-weights): yargs with strict flags, `--help` and
 * `--version`, and one error path. A bad flag or value is one line `program: problem (see --help)`
 * and exit code 2, never the help text; a UserError from the work is one line and exit code 2; any
 * other error is an internal error (exit 1, stack with CAPTION_DEBUG=1).
 *
 * Nothing heavy is imported here or in the option builders: a command's `run` imports its engine
 * (TensorFlow.js, sharp…) itself, so `--help` answers at once.
 */
import { readFileSync } from 'node:fs';
import yargs, { type ArgumentsCamelCase, type Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { UserError } from '../util/user-error.js';
import { reportError } from './exit-codes.js';

class UsageError extends UserError {
  override name = 'UsageError';
}

/** `O`: the flags the option builder declares; `run` gets them parsed (camelCase aliases too). */
export interface CommandSpec<O> {
  /** The name errors start with, e.g. `train`. */
  program: string;
  /** How the user types it, for --help (e.g. `npm run train --`). */
  scriptName?: string;
  /** The yargs command string: `$0` or with positionals, e.g. `$0 <images..>`. */
  command?: string;
  description: string;
  options: (y: Argv) => Argv<O>;
  examples?: readonly (readonly [string, string])[];
  /** The work; its return value is the exit code (default 0). */
  run: (args: ArgumentsCamelCase<O>) => Promise<number | void>;
}

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** One subcommand of a command with several (`bench encoder`, `bench train`). */
export interface SubcommandSpec<O> {
  command: string;
  description: string;
  options: (y: Argv) => Argv<O>;
  run: (args: ArgumentsCamelCase<O>) => Promise<number | void>;
}

/** A subcommand with its flag type erased, to sit in a list beside others. */
export const subcommand = <O>(spec: SubcommandSpec<O>): SubcommandSpec<never> => spec as unknown as SubcommandSpec<never>;

/** A command whose first word picks one of `subcommands` (each made with `subcommand`). */
export interface CommandGroupSpec {
  program: string;
  scriptName?: string;
  // Each subcommand's flag type is its own; the group only runs them.
  subcommands: readonly SubcommandSpec<never>[];
}

/** Parses `argv` for `spec` and runs it; resolves to the exit code (it never throws). */
export async function runCommand<O>(spec: CommandSpec<O> | CommandGroupSpec, argv: string[] = hideBin(process.argv)): Promise<number> {
  const { program } = spec;
  let exitCode = 0;
  let ran = false;
  const handler = (run: (args: never) => Promise<number | void>) => async (args: unknown) => {
    ran = true;
    try {
      exitCode = (await run(args as never)) ?? 0;
    } catch (err) {
      exitCode = reportError(err, program);
    }
  };
  const parser = yargs(argv).scriptName(spec.scriptName ?? program);
  if ('subcommands' in spec) {
    for (const sub of spec.subcommands) parser.command(sub.command, sub.description, (y) => sub.options(y), handler(sub.run));
    parser.demandCommand(1, `name one of: ${spec.subcommands.map((s) => s.command.split(' ')[0]).join(', ')}`);
  } else {
    parser.command(
      spec.command ?? '$0',
      spec.description,
      (y) => spec.options(y),
      handler(spec.run as (args: never) => Promise<number | void>),
    );
    for (const [example, what] of spec.examples ?? []) parser.example(example, what);
  }
  parser
    .strict()
    .help()
    .alias('h', 'help')
    .version(packageVersion())
    .wrap(Math.min(110, process.stdout.columns ?? 110))
    // Only parsing and validation errors reach here (the handler catches its own).
    .fail((msg, err) => {
      const problem = (msg ?? err?.message ?? 'invalid arguments')
        .replace(/:?\s*\n\s*/g, ': ')
        .replace(/\s+/g, ' ')
        .trim(); // yargs' "Invalid values:\n  Argument: …" on one line
      throw new UsageError(`${problem} (see \`${spec.scriptName ?? program} --help\`)`);
    });
  try {
    await parser.parseAsync();
  } catch (err) {
    return reportError(err, program);
  }
  return ran ? exitCode : 0;
}

/** `runCommand`, setting the process's exit code: the last line of every command's script. */
export async function main<O>(spec: CommandSpec<O> | CommandGroupSpec): Promise<void> {
  process.exitCode = await runCommand(spec);
}

/** Checks shared by option builders: a flag that must be a whole number ≥ `min`. */
export function requireInteger(args: Record<string, unknown>, flags: readonly string[], min = 1): void {
  for (const k of flags) {
    const v = args[k];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min)
      throw new Error(`--${k} must be an integer ≥ ${min}, got ${JSON.stringify(v)}`);
  }
}

/** A command's definition, its flag type inferred from `options` (src/cli/commands/*.ts). */
export const defineCommand = <O>(spec: CommandSpec<O>): CommandSpec<O> => spec;
