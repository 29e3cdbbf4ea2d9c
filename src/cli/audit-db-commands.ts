/**
 * The `audit` actions that need the database: verify the log against its anchors, export a
 * bundle, take an anchor. Loaded only when one of them runs.
 */
import type { Command } from 'commander';
import { readAnchorFile } from '../audit/anchors.ts';
import { takeAnchor, verifyAuditLogWithAnchors } from '../audit/anchoring.ts';
import { BUNDLE, exportAuditBundle } from '../audit/bundle-export.ts';
import { exportRange } from '../audit/export-range.ts';
import type { Store } from '../store/db.ts';
import { assertOutFree } from '../store/out-file.ts';
import { anchorFileOf } from './anchor-options.ts';
import type { ExportFlags, VerifyFlags } from './audit-commands.ts';
import { dataDirOf, openExistingStore } from './options.ts';

async function withStore<T>(program: Command, run: (store: Store) => Promise<T>): Promise<T> {
  const store = await openExistingStore(program.opts());
  try {
    return await run(store);
  } finally {
    await store.close();
  }
}

function anchorFile(program: Command, explicit: string | undefined): string {
  return anchorFileOf(dataDirOf(program.opts()), explicit);
}

export async function runVerify(program: Command, opts: VerifyFlags): Promise<void> {
  const file = anchorFile(program, opts.anchorFile);
  const anchors = await readAnchorFile(file);

  const verdict = await withStore(program, ({ db }) =>
    verifyAuditLogWithAnchors(db, anchors ?? []),
  );
  if (opts.json) {
    console.log(JSON.stringify({ ...verdict, anchorFile: file, anchors: anchors?.length ?? null }));
  } else if (verdict.ok) {
    const checked = anchors ? `, ${anchors.length} anchors match (${file})` : '';
    console.log(`audit log intact: ${verdict.entries} entries, head ${verdict.head}${checked}`);
  } else {
    console.log(`audit log BROKEN at entry ${verdict.brokenAt}: ${verdict.reason}`);
  }
  if (anchors === null && !opts.json) {
    process.stderr.write(
      `audit: no anchor file at ${file}; a tail deleted with its head record would go unseen ` +
        '(run `breachdesk audit anchor`, see docs/audit.md)\n',
    );
  }
  if (!verdict.ok) process.exitCode = 1;
}

export async function runExport(program: Command, opts: ExportFlags): Promise<void> {
  // Bad input is refused before the database is opened.
  const range = exportRange(opts.from, opts.to);
  const force = Boolean(opts.force);
  await assertOutFree(opts.out, { what: BUNDLE, force });
  const file = anchorFile(program, opts.anchorFile);
  const anchors = (await readAnchorFile(file)) ?? [];

  const summary = await withStore(program, ({ db }) =>
    exportAuditBundle(db, { out: opts.out, range, force, anchors, now: new Date() }),
  );
  if (opts.json) {
    console.log(JSON.stringify(summary));
    return;
  }
  const { count, prev, last } = summary;
  const span = count > 0 ? ` (${prev.seq + 1}..${last.seq})` : '';
  console.log(
    `exported ${count} entries${span} and ${summary.anchors} anchors to ${summary.out}; ` +
      `last hash ${last.hash}, file sha256 ${summary.sha256}`,
  );
}

export async function runAnchor(
  program: Command,
  opts: { anchorFile?: string; json?: boolean },
): Promise<void> {
  const file = anchorFile(program, opts.anchorFile);

  const outcome = await withStore(program, ({ db }) => takeAnchor(db, file, new Date()));
  if (opts.json) {
    console.log(JSON.stringify({ ...outcome, file }));
  } else if (outcome.status === 'written') {
    const { seq, hash, at } = outcome.anchor;
    console.log(`anchored entry ${seq} (hash ${hash}) at ${at} in ${file}`);
  } else if (outcome.status === 'unchanged') {
    const { seq, at } = outcome.anchor;
    console.log(`no entries since the anchor at ${at} (entry ${seq}); nothing written`);
  } else if (outcome.status === 'empty') {
    console.log('the audit log is empty; nothing to anchor');
  } else {
    const { brokenAt, reason } = outcome.verdict;
    console.log(`audit log BROKEN at entry ${brokenAt}: ${reason}; not anchored`);
  }
  if (outcome.status === 'refused') process.exitCode = 1;
}
