/**
 * Reading a .gz cut short in the middle: every complete line before the cut is read, even by
 * a slow consumer (one that stores batches), and the break is reported, not thrown past the
 * records already read. Regression: the lines zlib had decoded but not yet handed on when it
 * failed were dropped, and the error ended the import without its counts.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { constants, gunzipSync, gzipSync } from 'node:zlib';

import { afterAll, describe, expect, it } from 'vitest';

import { BreachdeskError } from '../../src/domain/errors.ts';
import { readStopError, untilReadError } from '../../src/intake/read-stop.ts';
import { readLineRecords, readTextLines } from '../../src/intake/records.ts';

const dir = mkdtempSync(join(tmpdir(), 'bd-read-stop-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const LINES = Array.from({ length: 3000 }, (_, i) => `line ${i} ${(i * 7919) % 104_729}`);
const WHOLE = gzipSync(`${LINES.join('\n')}\n`);
const CUT = WHOLE.subarray(0, Math.floor(WHOLE.length / 2));
const cutFile = join(dir, 'cut.log.gz');
writeFileSync(cutFile, CUT);

// The complete lines before the cut, worked out with zlib directly.
const READABLE = gunzipSync(CUT, { finishFlush: constants.Z_SYNC_FLUSH }).toString('utf8');
const COMPLETE_LINES = READABLE.split('\n').length - 1;

describe('reading a .gz cut short', () => {
  it('hands a slow consumer every complete line before the cut, then the zlib error', async () => {
    let read = 0;
    const reading = (async () => {
      for await (const { line } of readTextLines(cutFile)) {
        read = line;
        if (line % 100 === 0) await sleep(5);
      }
    })();

    await expect(reading).rejects.toThrow('unexpected end of file');
    expect(read).toBe(COMPLETE_LINES);
  });

  it('does so when zlib has many chunks decoded and waiting at the break', async () => {
    // Over a megabyte of text before the cut: zlib holds several chunks when it fails, and a
    // reader that iterated the stream itself (as a UTF-16 check once did) dropped them.
    const many = Array.from({ length: 120_000 }, (_, i) => `line ${i} ${(i * 7919) % 104_729}`);
    const whole = gzipSync(`${many.join('\n')}\n`);
    const cut = whole.subarray(0, Math.floor(whole.length / 2));
    const file = join(dir, 'cut-large.log.gz');
    writeFileSync(file, cut);
    const readable = gunzipSync(cut, { finishFlush: constants.Z_SYNC_FLUSH }).toString('utf8');
    const complete = readable.split('\n').length - 1;

    let read = 0;
    const reading = (async () => {
      for await (const { line } of readTextLines(file)) {
        read = line;
        if (line % 2000 === 0) await sleep(5);
      }
    })();

    await expect(reading).rejects.toThrow('unexpected end of file');
    expect(complete).toBeGreaterThan(50_000);
    expect(read).toBe(complete);
  });

  it('ends the records at the break, keeping the error and the last line read', async () => {
    const stoppable = untilReadError(readLineRecords(cutFile));
    const lines: number[] = [];
    for await (const item of stoppable.records) lines.push(item.line);

    expect(lines).toHaveLength(COMPLETE_LINES);
    expect(stoppable.stop()).toMatchObject({
      lastLine: COMPLETE_LINES,
      error: { code: 'Z_BUF_ERROR' },
    });
  });

  it('names the file, the early end and the last line read in a coded error', () => {
    const error = readStopError('alerts.gz', {
      error: Object.assign(new Error('unexpected end of file'), { code: 'Z_BUF_ERROR' }),
      lastLine: 41,
    });

    expect(error.code).toBe('BD_FILE_UNREADABLE');
    expect(error.message).toMatch(
      /^alerts\.gz: the compressed input ended early \(unexpected end of file\); reading/,
    );
    expect(error.message).toContain('after the record that begins on line 41');
    expect(error.message).toContain('The counts say what was stored before that.');
    expect(error.message).toContain('Send the complete file again (records already stored');
  });

  it.each([
    ['a broken .gz', Object.assign(new Error('invalid header'), { code: 'Z_DATA_ERROR' })],
    ['a reader refusal', new BreachdeskError('BD_FILE_UNREADABLE', 'not UTF-16', 'file')],
  ])('says that nothing was stored when %s stops before the first line', (_, cause) => {
    const error = readStopError('alerts.gz', { error: cause, lastLine: 0 });

    expect(error.message).toContain('reading stopped before the end of the first line.');
    expect(error.message).toContain('Nothing from this file was stored.');
    expect(error.message).not.toContain('counts');
    expect(error.message).not.toContain('repeats');
  });

  it('reports no stop for a file read to its end', async () => {
    const wholeFile = join(dir, 'whole.log.gz');
    writeFileSync(wholeFile, WHOLE);
    const stoppable = untilReadError(readLineRecords(wholeFile));

    const lines: number[] = [];
    for await (const item of stoppable.records) lines.push(item.line);

    expect(lines).toHaveLength(LINES.length);
    expect(stoppable.stop()).toBeNull();
  });
});
