/**
 * `breachdesk ingest` on a .gz cut short in the middle, as a script sees it: the real command
 * in a child process on PGlite in a folder of its own. Regression: the records before the
 * cut were stored, but no counts were printed and the error did not name the file.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { constants, gunzipSync, gzipSync } from 'node:zlib';

import { afterAll, describe, expect, it } from 'vitest';

import { runIngest } from '../support/cli-ingest.ts';

const dir = mkdtempSync(join(tmpdir(), 'bd-ingest-gz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ingest = (dataDir: string, ...args: string[]) => runIngest(join(dir, dataDir), ...args);

// One alert repeated (the first opens an investigation, the rest are its duplicates), with ids;
// `detail`, outside the fingerprint, varies so that the gzip stream is long enough to cut.
const LINES = Array.from({ length: 1200 }, (_, i) =>
  JSON.stringify({
    time: '2024-03-10T06:30:00Z',
    title: 'Canary token opened',
    host: 'files-1',
    id: `evt-${i}`,
    detail: `opened from ${(i * 7919) % 104_729}`,
  }),
);
const WHOLE = gzipSync(`${LINES.join('\n')}\n`);
const CUT = WHOLE.subarray(0, Math.floor(WHOLE.length / 2));

// What a reader can get out of the cut file, worked out here with zlib directly: the complete
// lines before the cut.
const READABLE = gunzipSync(CUT, { finishFlush: constants.Z_SYNC_FLUSH }).toString('utf8');
const COMPLETE_LINES = READABLE.split('\n').length - 1;

const whole = join(dir, 'alerts-whole.ndjson.gz');
const cut = join(dir, 'alerts-cut.ndjson.gz');
writeFileSync(whole, WHOLE);
writeFileSync(cut, CUT);

describe('breachdesk ingest on a truncated .gz', () => {
  it('prints what was stored, then a coded error naming the file, and exits 2', async () => {
    const { code, stdout, stderr } = await ingest('text', cut, '--format', 'generic');

    expect(code).toBe(2);
    expect(stdout).toContain(`accepted 1, duplicates ${COMPLETE_LINES - 1}, repeats 0`);
    expect(stderr).toMatch(/error BD_FILE_UNREADABLE: .*alerts-cut\.ndjson\.gz: .*ended early/);
    expect(stderr).toContain('unexpected end of file');
  });

  it('answers --json with one object holding the counts and the error', async () => {
    const { code, stdout } = await ingest('json', cut, '--format', 'generic', '--json');

    expect(code).toBe(2);
    expect(JSON.parse(stdout)).toMatchObject({
      format: 'generic',
      accepted: 1,
      duplicates: COMPLETE_LINES - 1,
      error: {
        code: 'BD_FILE_UNREADABLE',
        message: expect.stringMatching(/alerts-cut\.ndjson\.gz: .*unexpected end of file/),
      },
    });
  });

  it('takes the whole file sent afterwards, the records already stored as repeats', async () => {
    await ingest('resend', cut, '--format', 'generic');

    const { code, stdout } = await ingest('resend', whole, '--format', 'generic', '--json');

    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({
      repeats: COMPLETE_LINES,
      duplicates: LINES.length - COMPLETE_LINES,
    });
  });
});
