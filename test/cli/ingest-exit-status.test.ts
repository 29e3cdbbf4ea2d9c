/**
 * The exit status of `breachdesk ingest`, which is all that a script or a cron job checks: a file
 * whose lines were refused (a wrong --format refuses every one) must not end like a clean import.
 * The real command in a child process on PGlite, and in-process twice in a row, where the status
 * of one run must not carry into the next.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';

import { runIngest } from '../support/cli-ingest.ts';
import { cliFolder, type CliFolder } from '../support/cli-run.ts';

const dir = mkdtempSync(join(tmpdir(), 'bd-ingest-status-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const alert = (i: number) =>
  JSON.stringify({ time: '2024-03-10T06:30:00Z', title: `Canary ${i}`, host: 'f1', id: `e-${i}` });

function file(name: string, lines: string[]): string {
  const path = join(dir, name);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

describe('breachdesk ingest exit status', () => {
  it('is 0 when every line is taken', async () => {
    const clean = file('clean.ndjson', [alert(1), alert(2)]);

    const { code, stdout } = await runIngest(join(dir, 'a'), clean, '--format', 'generic');

    expect(stdout).toContain('accepted 2');
    expect(code).toBe(0);
  });

  it('is 3 when some lines are rejected, the others stored', async () => {
    const mixed = file('mixed.ndjson', [alert(1), '{"title": "no time"}', alert(2)]);

    const { code, stdout, stderr } = await runIngest(
      join(dir, 'b'),
      mixed,
      '--format',
      'generic',
      '--json',
    );

    expect(JSON.parse(stdout)).toMatchObject({ accepted: 2, rejected: 1 });
    expect(stderr).toMatch(/^line 2: rejected BD_INTAKE_/m);
    expect(code).toBe(3);
  });

  it('is 3 when a wrong --format refuses every line', async () => {
    const clean = file('generic.ndjson', [alert(1), alert(2)]);

    const { code, stdout } = await runIngest(join(dir, 'c'), clean, '--format', 'suricata');

    expect(stdout).toContain('accepted 0');
    expect(stdout).toContain('rejected 2');
    expect(code).toBe(3);
  });

  it('is 2 for a folder, named in the error', async () => {
    const folder = join(dir, 'a-folder');
    mkdirSync(folder, { recursive: true });

    const { code, stderr } = await runIngest(join(dir, 'e'), folder, '--format', 'generic');

    expect(code).toBe(2);
    expect(stderr).toContain(`error BD_FILE_UNREADABLE: ${folder}: is a folder, not a file`);
  });

  it('says what each status means in --help', async () => {
    const { code, stdout } = await runIngest(join(dir, 'd'), '--help');

    expect(code).toBe(0);
    expect(stdout).toMatch(/Exit status: 0 every line taken; 3 some lines rejected/);
  });
});

describe('breachdesk ingest run twice in one process', () => {
  let cli: CliFolder;
  beforeEach(async () => {
    cli = await cliFolder();
  });
  afterEach(() => cli.dispose());

  it('gives each run its own status, and leaves the process status as it was', async () => {
    const mixed = file('twice-mixed.ndjson', [alert(1), 'not json']);
    const clean = file('twice-clean.ndjson', [alert(2)]);
    const before = process.exitCode;

    const first = await cli.run('ingest', mixed, '--format', 'generic');
    const second = await cli.run('ingest', clean, '--format', 'generic');

    expect(first.code).toBe(3);
    expect(second.code).toBe(0);
    expect(process.exitCode).toBe(before);
  });
});
