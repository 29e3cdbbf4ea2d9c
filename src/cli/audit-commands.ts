/**
 * `breachdesk audit`: verify the log (or an exported bundle, offline), export a bundle for an
 * auditor, and anchor the chain's head outside the database (docs/audit.md). Verifying a
 * bundle opens no store: the database modules are loaded only by the actions that need one.
 */
import { createReadStream } from 'node:fs';
import type { Command } from 'commander';
import { type BundleVerdict, verifyBundle } from '../audit/bundle-verify.ts';
import { BreachdeskError, fail } from '../domain/errors.ts';
import { anchorFileOption } from './anchor-options.ts';

export interface VerifyFlags {
  bundle?: string;
  anchorFile?: string;
  json?: boolean;
}

export function registerAuditCommands(program: Command): void {
  const audit = program.command('audit').description('the hash-chained audit log');

  const verify = audit
    .command('verify')
    .description('re-check every entry and the anchors; exits 1 naming the first broken one')
    .option('--bundle <file>', 'check an exported bundle instead, offline (no database)')
    .addOption(anchorFileOption())
    .option('--json', 'print the verdict as one JSON object');
  verify.action(async (opts: VerifyFlags) => {
    if (opts.bundle === undefined) {
      const { runVerify } = await import('./audit-db-commands.ts');
      return runVerify(program, opts);
    }
    if (verify.getOptionValueSource('anchorFile') === 'cli') {
      fail(
        'BD_REQUEST_INVALID',
        'a bundle carries its own anchors; drop --anchor-file',
        'anchorFile',
      );
    }
    await verifyBundleFile(opts.bundle, Boolean(opts.json));
  });

  audit
    .command('export')
    .description('write the entries of a time range, with anchors, as a self-checking bundle')
    .option('--from <instant>', 'first instant, ISO 8601 with zone (default: the beginning)')
    .option('--to <instant>', 'last instant, ISO 8601 with zone (default: the end of the log)')
    .requiredOption('--out <file>', 'the bundle to write (NDJSON)')
    .option('--force', 'replace --out if it exists')
    .addOption(anchorFileOption())
    .option('--json', 'print the summary as one JSON object')
    .action(async (opts: ExportFlags) => {
      const { runExport } = await import('./audit-db-commands.ts');
      await runExport(program, opts);
    });

  audit
    .command('anchor')
    .description('append the head of the chain to the anchor file (run it from cron or a timer)')
    .addOption(anchorFileOption())
    .option('--json', 'print the outcome as one JSON object')
    .action(async (opts: { anchorFile?: string; json?: boolean }) => {
      const { runAnchor } = await import('./audit-db-commands.ts');
      await runAnchor(program, opts);
    });
}

export interface ExportFlags {
  from?: string;
  to?: string;
  out: string;
  force?: boolean;
  anchorFile?: string;
  json?: boolean;
}

async function verifyBundleFile(file: string, json: boolean): Promise<void> {
  let verdict: BundleVerdict;
  try {
    verdict = await verifyBundle(createReadStream(file));
  } catch (err) {
    if (!json) throw err;
    // Unreadable input still answers with one JSON object for a script to read.
    const code = err instanceof BreachdeskError ? err.code : 'BD_FILE_UNREADABLE';
    const message = err instanceof Error ? err.message : String(err);
    console.log(JSON.stringify({ ok: false, error: { code, message } }));
    process.exitCode = 2;
    return;
  }

  if (json) console.log(JSON.stringify(verdict));
  else if (verdict.ok) {
    const { entries, anchors, prev, last } = verdict;
    const span = entries > 0 ? ` (entries ${prev.seq + 1}..${last.seq})` : '';
    console.log(
      `audit bundle intact: ${entries} entries${span}, ${anchors} anchors, last hash ${last.hash}`,
    );
  } else {
    const entry = verdict.seq === null ? '' : ` (entry ${verdict.seq})`;
    console.log(`audit bundle BROKEN at line ${verdict.line}${entry}: ${verdict.reason}`);
  }
  if (!verdict.ok) process.exitCode = 1;
}
