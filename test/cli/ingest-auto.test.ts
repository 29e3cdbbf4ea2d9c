/**
 * `breachdesk ingest --format auto` as a script meets it: a pipe it cannot read twice, a JSON
 * layout the detected format's reader does not take from a file, a file named .gz that is not
 * gzip, and --json answering with a JSON line even when the command stops before any count.
 * Each refusal names the file and the fix, exits 2 and leaves nothing stored.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { openStore } from '../../src/store/db.ts';
import { signals } from '../../src/store/schema.ts';
import { runIngest } from '../support/cli-ingest.ts';

const dir = mkdtempSync(join(tmpdir(), 'bd-ingest-auto-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const T = '2024-03-10T06:30:00Z';
const generic = (i: number) => ({ time: T, title: `Canary ${i}`, host: 'h1', id: `g-${i}` });
const ecs = (i: number) => ({
  '@timestamp': T,
  event: { kind: 'alert', id: `e-${i}` },
  message: `ECS alert ${i}`,
  rule: { name: `Rule ${i}` },
  host: { name: 'h1' },
});

async function titlesIn(dataDir: string): Promise<string[]> {
  const store = await openStore({ dataDir });
  try {
    const rows = await store.db.select({ title: signals.title }).from(signals);
    return rows.map((r) => r.title).sort();
  } finally {
    await store.close();
  }
}

function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('breachdesk ingest --format auto', () => {
  it.each([
    ['a one-line array', JSON.stringify([generic(1), generic(2)])],
    ['pretty-printed objects', JSON.stringify(generic(1), null, 2)],
  ])('refuses %s for a format read line by line, naming the fix', async (name, text) => {
    const file = write(`${name.replaceAll(' ', '-')}.json`, `${text}\n`);
    const dataDir = join(dir, `layout-${name.length}`);

    const { code, stderr } = await runIngest(dataDir, file, '--format', 'auto');

    expect(stderr).toContain('format generic');
    expect(stderr).toMatch(/BD_FILE_UNREADABLE: .*generic files are read one JSON object per line/);
    expect(stderr).toContain("jq -c '.[]'");
    expect(code).toBe(2);
    expect(await titlesIn(dataDir)).toEqual([]);
  });

  it('takes JSON lines whose first record is longer than the part it looks at', async () => {
    const eve = (i: number, pad: number) => ({
      timestamp: T,
      event_type: 'alert',
      src_ip: '192.0.2.1',
      alert: { signature: `Canary ${i}`, signature_id: 9_000_000 + i },
      payload: 'x'.repeat(pad),
    });
    const lines = [eve(1, 100_000), eve(2, 10), eve(3, 10)].map((e) => JSON.stringify(e));
    const file = write('big-first.json', `${lines.join('\n')}\n`);
    const dataDir = join(dir, 'big-first');

    const { code, stdout, stderr } = await runIngest(dataDir, file, '--format', 'auto', '--json');

    expect(stderr).toContain('format suricata');
    expect(JSON.parse(stdout)).toMatchObject({ format: 'suricata', accepted: 3, rejected: 0 });
    expect(code).toBe(0);
  });

  it('takes an array for a format whose reader reads JSON documents', async () => {
    const file = write('ecs-array.json', JSON.stringify([ecs(1), ecs(2)], null, 2));
    const dataDir = join(dir, 'ecs');

    const { code, stdout, stderr } = await runIngest(dataDir, file, '--format', 'auto', '--json');

    expect(stderr).toContain('format ecs');
    expect(JSON.parse(stdout)).toMatchObject({ format: 'ecs', accepted: 2, rejected: 0 });
    expect(code).toBe(0);
    expect(await titlesIn(dataDir)).toHaveLength(2);
  });

  it('refuses a pipe, which it would have to read twice, without a stack trace', async () => {
    const fifo = join(dir, 'alerts.fifo');
    execFileSync('mkfifo', [fifo]);

    const { code, stderr } = await runIngest(join(dir, 'fifo'), fifo, '--format', 'auto');

    expect(stderr).toMatch(/BD_FILE_UNREADABLE: .*alerts\.fifo: --format auto reads the start/);
    expect(stderr).toContain('name the format with --format');
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(code).toBe(2);
  });

  it.each(['auto', 'generic'])(
    'refuses a file named .gz that is not gzip the same way with --format %s',
    async (format) => {
      const file = write('plain.ndjson.gz', `${JSON.stringify(generic(1))}\n`);
      const dataDir = join(dir, `not-gzip-${format}`);

      const { code, stdout } = await runIngest(dataDir, file, '--format', format, '--json');

      const said = JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as {
        error: { code: string; message: string };
      };
      expect(said.error.code).toBe('BD_FILE_UNREADABLE');
      expect(said.error.message).toContain('plain.ndjson.gz: the file is named .gz but is not');
      expect(said.error.message).toContain('Nothing from this file was stored.');
      expect(said.error.message).not.toContain('Send the complete file again');
      expect(code).toBe(2);
      expect(await titlesIn(dataDir)).toEqual([]);
    },
  );

  it('answers --json with a JSON line when it cannot tell the format', async () => {
    const file = write('unknown.json', '{"a": 1}\n');

    const { code, stdout } = await runIngest(
      join(dir, 'unknown'),
      file,
      '--format',
      'auto',
      '--json',
    );

    expect(JSON.parse(stdout)).toMatchObject({
      format: 'auto',
      error: { code: 'BD_INTAKE_FORMAT_UNDETECTED', message: expect.stringContaining('keys a') },
    });
    expect(code).toBe(2);
  });
});
