/**
 * The `breachdesk` command. Output for machines goes to stdout (`--json`), progress and logs
 * for people go to stderr. Exit codes: 0 done, 1 failed, 2 bad input.
 */
import { Command, CommanderError, Option } from 'commander';
import { BreachdeskError } from '../domain/errors.ts';
import { escapedControls } from '../domain/visible-text.ts';
import { describeFileError } from './file-errors.ts';

type Register = (program: Command) => void;

/**
 * The modules that define the commands, with the top-level commands each defines. A run loads
 * only the module of the command it names: each module pulls in its own part of the product
 * (database drivers, adapters, the HTTP server, PDF), and a long `ingest` should not carry the
 * rest in memory. Help, `--version` and unknown words load them all.
 */
export const COMMAND_MODULES: { commands: string[]; load: () => Promise<Register> }[] = [
  { commands: ['demo'], load: async () => (await import('./demo-command.ts')).registerDemoCommand },
  {
    commands: ['serve', 'worker', 'bounces'],
    load: async () => (await import('./serve-commands.ts')).registerServeCommands,
  },
  {
    commands: ['ingest', 'tenants', 'tokens'],
    load: async () => (await import('./data-commands.ts')).registerDataCommands,
  },
  {
    commands: ['audit'],
    load: async () => (await import('./audit-commands.ts')).registerAuditCommands,
  },
  {
    commands: [
      'list',
      'show',
      'move',
      'scope',
      'authority-notice',
      'withdraw-notice',
      'approve',
      'resend-notice',
      'rate',
      'classify',
      'declare',
      'postmortem',
    ],
    load: async () => (await import('./investigation-commands.ts')).registerInvestigationCommands,
  },
  {
    commands: ['report'],
    load: async () => (await import('./report-command.ts')).registerReportCommand,
  },
  {
    commands: ['clock'],
    load: async () => (await import('./clock-command.ts')).registerClockCommand,
  },
  {
    commands: ['hold'],
    load: async () => (await import('./hold-commands.ts')).registerHoldCommands,
  },
  {
    commands: ['report-signal'],
    load: async () => (await import('./report-signal-command.ts')).registerReportSignalCommand,
  },
  {
    commands: ['suppressions', 'metrics'],
    load: async () => (await import('./suppression-commands.ts')).registerSuppressionCommands,
  },
  {
    commands: ['settings'],
    load: async () => (await import('./settings-commands.ts')).registerSettingsCommands,
  },
  {
    commands: ['people'],
    load: async () => (await import('./people-commands.ts')).registerPeopleCommands,
  },
  {
    commands: ['evidence'],
    load: async () => (await import('./evidence-commands.ts')).registerEvidenceCommands,
  },
  {
    commands: ['training', 'oncall'],
    load: async () => (await import('./training-commands.ts')).registerTrainingCommands,
  },
];

/** The program with the commands `argv` needs (all of them when it names none that is known). */
export async function buildProgram(argv: string[] = []): Promise<Command> {
  const program = new Command('breachdesk')
    .description('Security incident response and personal-data breach notification')
    .version('0.1.0')
    .exitOverride()
    .showHelpAfterError()
    // Commander quotes the argument it refuses, and a terminal obeys escape sequences in it.
    .configureOutput({
      outputError: (message, write) => write(message.split('\n').map(escapedControls).join('\n')),
    });

  program.addOption(
    new Option('--data-dir <dir>', 'embedded database folder').env('BREACHDESK_DATA_DIR'),
  );

  const word = commandWord(argv.slice(2));
  const named = COMMAND_MODULES.filter((m) => word !== null && m.commands.includes(word));
  for (const module of named.length > 0 ? named : COMMAND_MODULES) (await module.load())(program);
  return program;
}

/** The first word that is not an option or the value of the one global option. */
function commandWord(args: string[]): string | null {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--data-dir') {
      i += 1;
      continue;
    }
    if (!arg.startsWith('-')) return arg;
  }
  return null;
}

/**
 * Runs the command line and returns the exit code. Commands say their status through
 * process.exitCode; it is read and put back here, so that one run in a process (a test's) never
 * hands its status to the next.
 */
export async function main(argv: string[]): Promise<number> {
  const before = process.exitCode;
  process.exitCode = undefined;
  try {
    return await run(argv);
  } finally {
    process.exitCode = before;
  }
}

async function run(argv: string[]): Promise<number> {
  try {
    await (await buildProgram(argv)).parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    const fileProblem = describeFileError(err);
    // Messages can quote a file's name or contents: escape sequences in them are shown, not run.
    if (fileProblem !== null) {
      process.stderr.write(`error BD_FILE_UNREADABLE: ${escapedControls(fileProblem)}\n`);
      return 2;
    }
    if (err instanceof BreachdeskError) {
      const field = err.field ? ` (field: ${escapedControls(err.field)})` : '';
      process.stderr.write(`error ${err.code}: ${escapedControls(err.message)}${field}\n`);
      return err.status < 500 ? 2 : 1;
    }
    process.stderr.write(
      `error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    return 1;
  }
}

// `breachdesk list | head` closes our stdout early; that is the reader's choice, not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});
