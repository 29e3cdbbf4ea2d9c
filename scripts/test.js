#!/usr/bin/env node
// `npm test`: the whole suite (PGlite always; PostgreSQL too when DATABASE_URL is set), then
// again on PGlite under two more time zones. Ends with one plain
// "N passed, N failed, N skipped" line so that a run that executed nothing is visible.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const vitest = join(import.meta.dirname, '..', 'node_modules', 'vitest', 'vitest.mjs');
const extra = process.argv.slice(2);
const outDir = mkdtempSync(join(tmpdir(), 'breachdesk-test-'));

// The first run is the whole suite (PostgreSQL too when DATABASE_URL is set) in UTC; then the
// whole suite again on PGlite under two zones whose offsets and daylight-saving rules differ
// from UTC's, so that no clock arithmetic can lean on the host's zone.
const runs = [
  { label: 'TZ=UTC', env: { TZ: 'UTC' }, args: extra },
  ...(extra.length > 0
    ? []
    : ['America/Sao_Paulo', 'Pacific/Auckland'].map((tz) => ({
        label: `TZ=${tz} (PGlite)`,
        env: { TZ: tz, DATABASE_URL: '', BREACHDESK_QUIET_SKIP: '1' },
        args: [],
      }))),
];

let passed = 0;
let failed = 0;
let skipped = 0;
let status = 0;
const failures = [];
runs.forEach((run, i) => {
  const report = join(outDir, `run-${i}.json`);
  process.stderr.write(`\n== vitest ${run.label} ${run.args.join(' ')}\n`);
  const res = spawnSync(
    process.execPath,
    [vitest, 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`]
      .concat(run.args),
    { stdio: 'inherit', env: { ...process.env, ...run.env } },
  );
  if (res.status !== 0) status = 1;
  try {
    const r = JSON.parse(readFileSync(report, 'utf8'));
    passed += r.numPassedTests;
    failed += r.numFailedTests;
    skipped += r.numPendingTests + r.numTodoTests;
    for (const file of r.testResults ?? []) {
      const where = file.name.replace(`${process.cwd()}/`, '');
      for (const t of file.assertionResults ?? []) {
        if (t.status === 'failed') failures.push(`${run.label} ${where} > ${t.fullName}`);
      }
      // A file that fails to load has no assertion results, only a message.
      const named = (file.assertionResults ?? []).some((t) => t.status === 'failed');
      if (file.status === 'failed' && !named) {
        failures.push(`${run.label} ${where}: ${String(file.message ?? '').split('\n')[0]}`);
      }
    }
  } catch {
    status = 1;
    process.stderr.write(`no report from the ${run.label} run\n`);
  }
});
rmSync(outDir, { recursive: true, force: true });

// The failures again at the very end, so that a log cut to its last lines still names them.
if (failures.length > 0) {
  console.log(`\nfailed (${failures.length}):`);
  for (const f of failures) console.log(`  ${f}`);
}

console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
if (passed === 0) status = 1;
process.exit(status);
