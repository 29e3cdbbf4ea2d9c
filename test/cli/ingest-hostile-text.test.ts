/**
 * `breachdesk ingest` on a file whose bad lines carry terminal escape sequences and bidi
 * overrides, as an operator's terminal would receive the report: the real command in a child
 * process on PGlite in a folder of its own. Regression: JSON.parse quotes the refused line in its
 * message, and that message reached stderr with the sender's escape sequences intact.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

import { afterAll, describe, expect, it } from 'vitest';

import { runIngest } from '../support/cli-ingest.ts';

const dir = mkdtempSync(join(tmpdir(), 'bd-ingest-hostile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const GOOD = JSON.stringify({ time: '2024-03-10T06:30:00Z', title: 'Canary opened', host: 'f1' });
// ESC [2J clears the screen; U+202E turns the rest of the line around; BEL rings.
const HOSTILE = '{"title": \u202E\u001b[2J\u001b[31mnot json\u0007}';

const ingest = (...args: string[]) => runIngest(join(dir, 'data'), ...args);

describe('breachdesk ingest reporting lines it refused', () => {
  it('shows control characters and bidi overrides as code points, never raw', async () => {
    const file = join(dir, 'alerts.ndjson');
    writeFileSync(file, `${GOOD}\n${HOSTILE}\n`);

    const { code, stdout, stderr } = await ingest(file, '--format', 'generic');

    expect(code).toBe(3);

    expect(stdout).toContain('accepted 1');
    expect(stdout).toContain('rejected 1');
    const report = stderr.split('\n').find((l) => l.startsWith('line 2: rejected'));
    expect(report).toContain('BD_INTAKE_MALFORMED_JSON');
    expect(report).toContain('\\u001b[2J');
    expect(report).toContain('\\u202e');
    expect(stderr.replaceAll('\n', '')).not.toMatch(/[\p{Cc}\u202E]/u);
  });

  it('shows an unknown option with escape sequences as code points', async () => {
    const { code, stderr } = await ingest(
      'x.ndjson',
      '--format',
      'generic',
      '--\u001b[2J\u009b31m',
    );

    expect(code).toBe(2);
    expect(stderr).toContain("unknown option '--\\u001b[2J\\u009b31m'");
    expect(stderr.replaceAll('\n', '')).not.toMatch(/[\p{Cc}\u202E]/u);
  });

  it('shows a file name with escape sequences as code points in its error', async () => {
    // CSI (U+009B) is the one-byte form of ESC [ that some terminals still obey.
    const file = join(dir, 'x\u001b[2J\u009b31m\u202Efdp.ndjson');
    writeFileSync(file, '{"neither": "any format"}\n');

    const { code, stderr } = await ingest(file, '--format', 'auto');

    expect(code).toBe(2);
    expect(stderr).toContain('error BD_INTAKE_FORMAT_UNDETECTED');
    expect(stderr).toContain('x\\u001b[2J\\u009b31m\\u202efdp.ndjson');
    expect(stderr.replaceAll('\n', '')).not.toMatch(/[\p{Cc}\u202E]/u);
  });

  it('shows such a name as code points when a .gz breaks partway, text and --json', async () => {
    const lines = Array.from({ length: 2000 }, (_, i) =>
      JSON.stringify({ time: '2024-03-10T06:30:00Z', title: `alert ${i}`, id: `e-${i}` }),
    );
    const whole = gzipSync(`${lines.join('\n')}\n`);
    const file = join(dir, 'cut\u001b[2J\u009b31m\u0085\u202E.ndjson.gz');
    writeFileSync(file, whole.subarray(0, Math.floor(whole.length / 2)));

    const text = await ingest(file, '--format', 'generic');
    const json = await ingest(file, '--format', 'generic', '--json');

    expect(text.code).toBe(2);
    expect(text.stderr).toContain('error BD_FILE_UNREADABLE');
    expect(text.stderr).toContain('cut\\u001b[2J\\u009b31m\\u0085\\u202e.ndjson.gz');
    expect(text.stderr.replaceAll('\n', '')).not.toMatch(/[\p{Cc}\u202E]/u);
    expect(json.code).toBe(2);
    const said = JSON.parse(json.stdout) as { error: { code: string; message: string } };
    expect(said.error.code).toBe('BD_FILE_UNREADABLE');
    expect(said.error.message).not.toMatch(/[\p{Cc}\u202E]/u);
    expect(said.error.message).toContain('\\u009b31m');
  });
});
