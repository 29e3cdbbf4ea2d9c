/**
 * `breachdesk training …` and `breachdesk oncall …`: training records and the on-call rota
 * (docs/training.md). The operator acts as an administrator named by --as (BREACHDESK_AS,
 * default the OS user), which goes into the audit log. Warnings about an untrained person put
 * on call go to stderr; --json prints them with the shift on stdout too.
 */
import { type Command, Option } from 'commander';
import { cliActor } from '../auth/actor.ts';
import { fail } from '../domain/errors.ts';
import type { Store } from '../store/db.ts';
import { assertOutFree, type OutFileOptions, writeOutFile } from '../store/out-file.ts';
import { instantInput } from '../training/input.ts';
import { EXPORT_FORMATS, EXPORT_ROWS, exportTraining } from '../training/export.ts';
import { addOnCall, listOnCall, removeOnCall, type ShiftView } from '../training/on-call.ts';
import { listTrainingStatus, recordCompletion } from '../training/records.ts';
import { withStore } from './data-commands.ts';
import { openExistingStore } from './options.ts';

const asOption = () =>
  new Option('--as <name>', 'the person acting (default: the OS user)').env('BREACHDESK_AS');

// The export names people and their e-mail addresses: a new file only, never replaced.
const EXPORT_FILE: OutFileOptions = { what: 'the training export' };

const actorOf = (opts: { as?: string }) => cliActor('admin', opts.as);

/** Reads only a database that exists: a mistyped folder must not report "nobody is due". */
async function withExistingStore<T>(
  program: Command,
  run: (store: Store) => Promise<T>,
): Promise<T> {
  const store = await openExistingStore(program.opts());
  try {
    return await run(store);
  } finally {
    await store.close();
  }
}

function instantFlag(value: string | undefined, field: string): Date | undefined {
  if (value === undefined) return undefined;
  if (!instantInput.safeParse(value).success) {
    fail('BD_REQUEST_INVALID', `--${field} must be ISO 8601 with Z or an offset`, field);
  }
  return new Date(value);
}

export function registerTrainingCommands(program: Command): void {
  registerTraining(program);
  registerOnCall(program);
}

function registerTraining(program: Command): void {
  const training = program
    .command('training')
    .description('incident-response training: record completions, see who is due, export');

  training
    .command('record')
    .description('record that a person completed a topic (audited as training.completed)')
    .requiredOption('--person <email-or-id>', 'the person who completed it')
    .requiredOption('--topic <id>', 'topic id (GET /api/v1/training/topics lists them)')
    .option('--topic-version <version>', 'topic version (default: the current one)')
    .requiredOption('--completed-at <instant>', 'when, ISO 8601 with Z or an offset')
    .option('--note <text>', 'e.g. course name or certificate number')
    .addOption(asOption())
    .option('--json', 'print the completion as JSON')
    .action(async (opts: RecordFlags) => {
      await withStore(program.opts(), async ({ db }) => {
        const input = {
          person: opts.person,
          topic: opts.topic,
          version: opts.topicVersion,
          completedAt: opts.completedAt,
          note: opts.note,
        };
        const done = await recordCompletion(db, actorOf(opts), input);
        if (opts.json) console.log(JSON.stringify(done));
        else console.log(`recorded ${done.id} ${done.email} ${done.topic}@${done.topicVersion}`);
      });
    });

  training
    .command('status')
    .description('where each person on the response side stands in every topic')
    .option('--due', 'only people with a topic due or overdue, and only those topics')
    .option('--at <instant>', 'as of this instant (default: now)')
    .option('--json', 'print the statuses as one JSON array')
    .action(async (opts: { due?: boolean; at?: string; json?: boolean }) => {
      const at = instantFlag(opts.at, 'at');
      await withExistingStore(program, async ({ db }) => {
        const people = await listTrainingStatus(db, { at, dueOnly: opts.due });
        if (opts.json) {
          console.log(JSON.stringify(people));
          return;
        }
        for (const p of people) {
          for (const t of p.topics) {
            console.log(`${p.email} ${t.topic} ${t.state} due ${t.dueAt} v${t.currentVersion}`);
          }
        }
      });
    });

  training
    .command('export')
    .description('the training record for auditors (CSV cells are formula-neutralised)')
    .addOption(
      new Option('--format <format>', 'file format').choices(EXPORT_FORMATS).default('csv'),
    )
    .addOption(
      new Option('--rows <rows>', 'CSV rows: status per person and topic, or every completion')
        .choices(EXPORT_ROWS)
        .default('status'),
    )
    .option('--out <file>', 'write to this new file, mode 0600 (default: stdout)')
    .addOption(asOption())
    .action(async (opts: ExportFlags) => {
      const { out } = opts;
      // Refused before the export is built and audited as done: nothing left, nothing logged.
      if (out !== undefined) await assertOutFree(out, EXPORT_FILE);

      await withExistingStore(program, async ({ db }) => {
        const file = await exportTraining(db, actorOf(opts), opts);
        if (out === undefined) {
          process.stdout.write(file.body);
          return;
        }
        await writeOutFile(out, EXPORT_FILE, (write) => write(file.body));
        process.stderr.write(`training export written to ${out}\n`);
      });
    });
}

function registerOnCall(program: Command): void {
  const oncall = program.command('oncall').description('the on-call rota');

  oncall
    .command('add')
    .description('put a person on call; warns when their training is missing or overdue')
    .requiredOption('--person <email-or-id>', 'who is on call')
    .requiredOption('--from <instant>', 'shift start, ISO 8601 with Z or an offset')
    .requiredOption('--to <instant>', 'shift end (at most 31 days after the start)')
    .addOption(asOption())
    .option('--json', 'print {shift, warnings} as JSON')
    .action(
      async (opts: { person: string; from: string; to: string; as?: string; json?: boolean }) => {
        await withStore(program.opts(), async ({ db }) => {
          const input = { person: opts.person, startsAt: opts.from, endsAt: opts.to };
          const added = await addOnCall(db, actorOf(opts), input);
          for (const w of added.warnings) process.stderr.write(`warning: ${w}\n`);
          if (opts.json) console.log(JSON.stringify(added));
          else console.log(`added ${describeShift(added.shift)}`);
        });
      },
    );

  oncall
    .command('list')
    .description('shifts on call now or later, with training warnings')
    .option('--at <instant>', 'as of this instant (default: now)')
    .option('--json', 'print the shifts as one JSON array')
    .action(async (opts: { at?: string; json?: boolean }) => {
      const at = instantFlag(opts.at, 'at');
      await withExistingStore(program, async ({ db }) => {
        const shifts = await listOnCall(db, at);
        if (opts.json) {
          console.log(JSON.stringify(shifts));
          return;
        }
        for (const s of shifts) {
          console.log(describeShift(s));
          for (const w of s.warnings) console.log(`  warning: ${w}`);
        }
      });
    });

  oncall
    .command('remove')
    .description('take a shift off the rota (kept on record as removed)')
    .argument('<shift>', 'shift id (see oncall list)')
    .option('--dry-run', 'show the shift that would be removed, change nothing')
    .addOption(asOption())
    .action(async (shiftId: string, opts: { dryRun?: boolean; as?: string }) => {
      await withStore(program.opts(), async ({ db }) => {
        if (opts.dryRun) {
          const shift = (await listOnCall(db, new Date(0))).find((s) => s.id === shiftId);
          if (!shift) fail('BD_NOT_FOUND', `no shift ${shiftId} on the rota`, 'shift');
          console.log(`would remove ${describeShift(shift)}`);
          return;
        }
        const removed = await removeOnCall(db, actorOf(opts), shiftId);
        console.log(`removed ${describeShift(removed)}`);
      });
    });
}

function describeShift(s: ShiftView): string {
  return `${s.id} ${s.email} ${s.startsAt} → ${s.endsAt}`;
}

interface RecordFlags {
  person: string;
  topic: string;
  topicVersion?: string;
  completedAt: string;
  note?: string;
  as?: string;
  json?: boolean;
}

interface ExportFlags {
  format: (typeof EXPORT_FORMATS)[number];
  rows: (typeof EXPORT_ROWS)[number];
  out?: string;
  as?: string;
}
