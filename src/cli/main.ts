/**
 * The `breachdesk` command. Output for machines goes to stdout (`--json`), progress and logs
 * for people go to stderr. Exit codes: 0 done, 1 failed, 2 bad input.
 */
import { Command, CommanderError, Option } from 'commander';
import { BreachdeskError } from '../domain/errors.ts';
import { registerClockCommand } from './clock-command.ts';
import { registerDataCommands } from './data-commands.ts';
import { registerDemoCommand } from './demo-command.ts';
import { registerHoldCommands } from './hold-commands.ts';
import { registerInvestigationCommands } from './investigation-commands.ts';
import { registerReportCommand } from './report-command.ts';
import { registerReportSignalCommand } from './report-signal-command.ts';
import { registerServeCommands } from './serve-commands.ts';
import { registerSettingsCommands } from './settings-commands.ts';
import { registerSuppressionCommands } from './suppression-commands.ts';

export function buildProgram(): Command {
  const program = new Command('breachdesk')
    .description('Security incident response and personal-data breach notification')
    .version('0.1.0')
    .exitOverride()
    .showHelpAfterError();

  program.addOption(
    new Option('--data-dir <dir>', 'embedded database folder').env('BREACHDESK_DATA_DIR'),
  );

  registerDemoCommand(program);
  registerServeCommands(program);
  registerDataCommands(program);
  registerInvestigationCommands(program);
  registerReportCommand(program);
  registerClockCommand(program);
  registerHoldCommands(program);
  registerReportSignalCommand(program);
  registerSuppressionCommands(program);
  registerSettingsCommands(program);
  return program;
}

/** Runs the command line and returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    const fileProblem = describeFileError(err);
    if (fileProblem !== null) {
      process.stderr.write(`error BD_FILE_UNREADABLE: ${fileProblem}\n`);
      return 2;
    }
    if (err instanceof BreachdeskError) {
      const field = err.field ? ` (field: ${err.field})` : '';
      process.stderr.write(`error ${err.code}: ${err.message}${field}\n`);
      return err.status < 500 ? 2 : 1;
    }
    process.stderr.write(
      `error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    return 1;
  }
}

const FILE_CODES: Record<string, string> = {
  ENOENT: 'no such file or folder',
  EISDIR: 'is a folder, not a file',
  ENOTDIR: 'a part of the path is not a folder',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
};

// Files named on the command line are user input: a missing one or a broken .gz is bad input
// to name, not a crash to print.
function describeFileError(err: unknown): string | null {
  const e = err as NodeJS.ErrnoException & { errno?: number };
  if (typeof e?.code !== 'string') return null;
  const what = FILE_CODES[e.code];
  if (what) return `${e.path ?? 'file'}: ${what}`;
  if (e.code.startsWith('Z_') || e.code === 'ERR_BUFFER_TOO_LARGE') {
    return `not a readable gzip file (${e.message})`;
  }
  return null;
}

// `breachdesk list | head` closes our stdout early; that is the reader's choice, not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});
