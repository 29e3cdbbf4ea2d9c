/**
 * Commands that take data in: ingest, tenants import, tokens.
 */
import { readFile, stat } from 'node:fs/promises';
import type { Command } from 'commander';
import { actorLabel, cliActor } from '../auth/actor.ts';
import { createToken, revokeToken } from '../auth/tokens.ts';
import { ROLES } from '../domain/types.ts';
import { BreachdeskError, fail } from '../domain/errors.ts';
import { escapedControls } from '../domain/visible-text.ts';
import { loadCorrelationConfig } from '../intake/correlation-config.ts';
import { type JsonLayout, sniffFile } from '../intake/auto.ts';
import { ingestEmailRecords } from '../intake/email-ingest.ts';
import { ingestRecords } from '../intake/ingest.ts';
import { isContentError, readStopError, untilReadError } from '../intake/read-stop.ts';
import { adapterFor, fileRecords, INTAKE_FORMATS } from '../intake/registry.ts';
import { importTenants } from '../tenants/import.ts';
import { describeFileError } from './file-errors.ts';
import { openConfiguredStore, type StoreFlags } from './options.ts';

/** Opens the store for one command and always closes it. */
export async function withStore<T>(
  flags: StoreFlags,
  run: (store: Awaited<ReturnType<typeof openConfiguredStore>>) => Promise<T>,
): Promise<T> {
  const store = await openConfiguredStore(flags);
  try {
    return await run(store);
  } finally {
    await store.close();
  }
}

interface TokenCreateFlags {
  label: string;
  role: string;
  tenant?: string;
  expiresInDays: string;
  json?: boolean;
}

interface IngestFlags {
  format: string;
  zone?: string;
  json?: boolean;
  source?: string;
  correlation?: string;
  dedupWindowHours?: string;
}

function windowOf(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;

  const hours = Number(text);
  if (!Number.isFinite(hours) || hours <= 0 || hours > 24 * 366) {
    fail(
      'BD_REQUEST_INVALID',
      '--dedup-window-hours must be a positive number of hours (at most a year)',
      'dedupWindowHours',
    );
  }
  return hours;
}

/**
 * Reading a folder fails with an EISDIR that does not carry the path, so the error could not
 * say which argument was wrong; the check names it. A missing file is left to the read.
 */
async function assertNotFolder(file: string): Promise<void> {
  const info = await stat(file).catch(() => null);
  if (info?.isDirectory()) fail('BD_FILE_UNREADABLE', `${file}: is a folder, not a file`, 'file');
}

export function registerDataCommands(program: Command): void {
  program
    .command('ingest')
    .description('take in an alert file (plain or .gz, any size) in a sender format')
    .argument('<file>', 'file to read')
    .requiredOption('--format <format>', `one of ${INTAKE_FORMATS.join(', ')}, or auto`)
    .option('--zone <zone>', 'zone of zone-less timestamps (fast, cef): UTC, +01:00, Europe/Berlin')
    .option('--json', 'print the summary as one JSON line')
    .option('--source <name>', 'sender name for idempotency and correlation (default: format)')
    .option('--correlation <file>', 'correlation settings per source (JSON; docs/intake.md)')
    .option('--dedup-window-hours <h>', 'repeats closer than this count on one investigation')
    .addHelpText(
      'after',
      '\nExit status: 0 every line taken; 3 some lines rejected (each named on stderr, the rest' +
        ' stored);\n2 bad arguments, or the file could not be read to its end; 1 an internal' +
        ' error.',
    )
    .action(async (file: string, opts: IngestFlags) => {
      await reportedAsJson(opts, () => ingestFile(program, file, opts));
    });

  program
    .command('tenants')
    .description('manage tenants')
    .command('import')
    .description('create or replace tenants, resources and contacts from a JSON file')
    .argument('<file>', '{"tenants": [...]}, see docs/tenants.md')
    .option('--json', 'print the summary as JSON')
    .action(async (file: string, opts: { json?: boolean }) => {
      await assertNotFolder(file);
      const text = await readFile(file, 'utf8');
      let input: unknown;
      try {
        input = JSON.parse(text);
      } catch (err) {
        fail('BD_TENANT_INVALID', `${file} is not valid JSON: ${(err as Error).message}`);
      }

      await withStore(program.opts(), async ({ db }) => {
        const summary = await importTenants(db, input, cliActor());
        console.log(opts.json ? JSON.stringify(summary) : `imported ${summary.tenants} tenants`);
      });
    });

  const tokens = program.command('tokens').description('API tokens for people and machines');
  tokens
    .command('create')
    .description('issue a token; it is printed once, only its hash is kept')
    .requiredOption('--label <label>', 'whose token this is, e.g. a person or a service')
    .requiredOption('--role <role>', `one of ${ROLES.join(', ')}`)
    .option('--tenant <id>', 'the tenant of a tenant_admin token')
    .option('--expires-in-days <days>', 'days until the token stops working (1–365)', '90')
    .option('--json', 'print {id, token, role, tenantId, expiresAt}')
    .action(async (opts: TokenCreateFlags) => {
      const expiresInDays = Number(opts.expiresInDays);
      await withStore(program.opts(), async ({ db }) => {
        const created = await createToken(db, {
          label: opts.label,
          role: opts.role,
          tenantId: opts.tenant ?? null,
          createdBy: actorLabel(cliActor()),
          expiresInDays,
        });
        console.log(opts.json ? JSON.stringify(created) : created.token);
      });
    });
  tokens
    .command('revoke')
    .description('revoke a token by id')
    .argument('<id>', 'token id')
    .action(async (id: string) => {
      await withStore(program.opts(), async ({ db }) => {
        await revokeToken(db, id, actorLabel(cliActor()));
        console.log(`revoked ${id}`);
      });
    });
}

/** `breachdesk ingest`: reads `file` in `opts.format`, stores what it can and says what it did. */
async function ingestFile(program: Command, file: string, opts: IngestFlags): Promise<void> {
  await assertNotFolder(file);
  const zone = opts.zone ?? (process.env.BREACHDESK_INTAKE_ZONE || undefined);
  let format = opts.format;
  let layout: JsonLayout | undefined;
  if (format === 'auto') {
    const detected = await sniffFile(file);
    const said = `${file}: format ${detected.format} (${detected.reason})`;
    process.stderr.write(`ingest: ${escapedControls(said)}\n`);
    format = detected.format;
    layout = detected.layout;
  }
  const adapter = adapterFor(format, { zone });
  if (layout === 'json-documents' && adapter.reader?.takesJsonDocuments !== true) {
    // Read line by line, every record of an array or a pretty-printed file is refused.
    fail(
      'BD_FILE_UNREADABLE',
      `${file}: ${format} files are read one JSON object per line, and this one holds an ` +
        "array or objects over several lines; write one record per line first (jq -c '.[]' " +
        'for an array, jq -c . otherwise) and send that',
      'file',
    );
  }
  const window = windowOf(opts.dedupWindowHours);
  const correlation = opts.correlation ? loadCorrelationConfig(opts.correlation) : undefined;
  if (opts.source !== undefined && !/^[\w.@:-]{1,100}$/.test(opts.source)) {
    fail('BD_REQUEST_INVALID', '--source must be 1–100 letters, digits or . _ @ : -', 'source');
  }

  await withStore(program.opts(), async ({ db }) => {
    let lines = 0;
    // A file that breaks partway (a .gz cut short) still gets its counts reported below.
    const read = untilReadError(fileRecords(adapter, file));
    // E-mail goes one message at a time, each filed with the report it follows up.
    const ingest = adapter.format === 'email' ? ingestEmailRecords : ingestRecords;
    const summary = await ingest(db, adapter, read.records, {
      actor: cliActor(),
      dedupWindowHours: window,
      correlation,
      source: opts.source,
      onLine: () => {
        lines += 1;
        if (lines % 10_000 === 0) process.stderr.write(`ingest: ${lines} lines\n`);
      },
    });

    for (const r of summary.results) {
      if (r.status === 'rejected') {
        // Field paths and reasons can quote the file's own text: printed, never obeyed.
        const field = r.field ? ` (${escapedControls(r.field)})` : '';
        const reason = escapedControls(r.reason);
        process.stderr.write(`line ${r.line}: rejected ${r.code}${field}: ${reason}\n`);
      }
    }
    const { accepted, duplicates, repeats, suppressed, skipped, rejected } = summary;
    const counts = { accepted, duplicates, repeats, suppressed, skipped, rejected };

    // Nothing read and the file itself unreadable (missing, a folder): reported as before.
    const stop = read.stop();
    if (stop !== null && stop.lastLine === 0 && !isContentError(stop.error)) {
      throw stop.error;
    }
    const stopped = stop === null ? null : readStopError(file, stop);
    // It names the file, and a file's name can hold escape sequences: shown, never run.
    const error = stopped && { code: stopped.code, message: escapedControls(stopped.message) };

    if (opts.json) {
      const failed = error && { error: { code: error.code, message: error.message } };
      console.log(JSON.stringify({ format, ...counts, ...failed }));
    } else {
      console.log(
        Object.entries(counts)
          .map(([k, v]) => `${k} ${v}`)
          .join(', '),
      );
    }
    if (error !== null) {
      if (!opts.json) process.stderr.write(`error ${error.code}: ${error.message}\n`);
      process.exitCode = 2;
    } else if (rejected > 0) {
      // The rest is stored, but a script that checks only the status must still learn that
      // lines were left out: a wrong --format refuses every line and would otherwise pass.
      process.exitCode = 3;
    }
  });
}

/**
 * With --json, an error that stops the command before any count (a missing file, a format that
 * cannot be detected) is also printed as a JSON line, so that a script reading stdout learns it.
 */
async function reportedAsJson(opts: IngestFlags, run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (error) {
    const fileProblem = describeFileError(error);
    const said =
      fileProblem !== null
        ? { code: 'BD_FILE_UNREADABLE', message: escapedControls(fileProblem) }
        : error instanceof BreachdeskError
          ? { code: error.code, message: escapedControls(error.message) }
          : null;
    if (opts.json && said !== null)
      console.log(JSON.stringify({ format: opts.format, error: said }));
    throw error;
  }
}
