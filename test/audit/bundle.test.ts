import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { takeAnchor } from '../../src/audit/anchoring.ts';
import { readAnchorFile } from '../../src/audit/anchors.ts';
import { type ExportRange, exportAuditBundle } from '../../src/audit/bundle-export.ts';
import { verifyBundle } from '../../src/audit/bundle-verify.ts';
import type { Db, Store, Tx } from '../../src/store/db.ts';
import { seedAudit, truncateWithHead } from '../support/audit-seed.ts';
import { describeEachBackend } from '../support/backends.ts';

const OPEN: ExportRange = { from: null, to: null };

describeEachBackend('audit bundle export', (backend) => {
  let store: Store;
  let dir: string;
  let anchorFile: string;

  beforeEach(async () => {
    store = await backend.open();
    dir = await mkdtemp(join(tmpdir(), 'bd-bundle-'));
    anchorFile = join(dir, 'anchors.ndjson');
    await seedAudit(store.db, 6);
    await takeAnchor(store.db, anchorFile, new Date('2026-04-01T00:00:00Z'));
  });
  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function exportTo(name: string, range = OPEN) {
    const out = join(dir, name);
    const anchors = (await readAnchorFile(anchorFile)) ?? [];
    await exportAuditBundle(store.db, { out, range, force: false, anchors, now: new Date() });
    return out;
  }

  it('exports every entry and the anchors, and the bundle verifies', async () => {
    const out = await exportTo('all.ndjson');

    expect(await verifyFile(out)).toMatchObject({ ok: true, entries: 6, anchors: 1 });
    const kinds = (await readFile(out, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { kind: string }).kind);
    expect(kinds).toEqual(['header', ...Array(6).fill('entry'), 'anchor', 'end']);
  });

  it('exports the stretch of a time range, linked to the entry before it', async () => {
    // Entries are stamped an hour apart from 2026-03-01T00:00Z: seq 3 at 02:00, seq 5 at 04:00.
    const range = { from: '2026-03-01T01:30:00.000Z', to: '2026-03-01T04:00:00.000Z' };
    const out = await exportTo('range.ndjson', range);

    const header = JSON.parse((await readFile(out, 'utf8')).split('\n')[0] ?? '');
    expect(header).toMatchObject({ count: 3, prevSeq: 2, range });
    // The anchor names entry 6, outside a range that ends before it.
    expect(await verifyFile(out)).toMatchObject({ ok: true, entries: 3, anchors: 0 });
  });

  it('exports a log that lost its tail as a bundle that says so', async () => {
    await truncateWithHead(store.db, 5);
    const out = await exportTo('truncated.ndjson');

    expect(await verifyFile(out)).toMatchObject({
      ok: false,
      seq: 5,
      reason: expect.stringContaining('entries 5..6 missing from the end'),
    });
  });

  it('verifies a bundle read in chunks that split its lines anywhere', async () => {
    const text = await readFile(await exportTo('chunks.ndjson'), 'utf8');
    expect(await verifyBundle(chunks(text, 7))).toMatchObject({ ok: true, entries: 6 });
  });

  it('leaves no file behind when the database fails halfway through', async () => {
    const out = join(dir, 'failed.ndjson');
    const db = failingEntryReads(store.db);
    const opts = { out, range: OPEN, force: false, anchors: [], now: new Date() };

    await expect(exportAuditBundle(db, opts)).rejects.toThrow('connection lost');
    expect(await readdir(dir)).toEqual(['anchors.ndjson']);
  });
});

/**
 * The database with its connection lost at the first page of entries, after the header is
 * written (a proxy at the Db boundary: reads of whole rows, `select()`, throw).
 */
function failingEntryReads(db: Db): Db {
  const failing = (tx: Tx) =>
    new Proxy(tx, {
      get(target, prop) {
        const value = Reflect.get(target, prop) as unknown;
        if (prop !== 'select') {
          return typeof value === 'function' ? (value.bind(target) as unknown) : value;
        }
        return (...args: []) => {
          if (args.length === 0) throw new Error('connection lost');
          return target.select(...args);
        };
      },
    });
  return new Proxy(db, {
    get(target, prop) {
      if (prop !== 'transaction') return Reflect.get(target, prop) as unknown;
      return (run: (tx: Tx) => Promise<unknown>, config: object) =>
        target.transaction((tx) => run(failing(tx)), config);
    },
  });
}

describeEachBackend('audit bundle tampering', (backend) => {
  let dir: string;
  let lines: string[];

  beforeEach(async () => {
    const store = await backend.open();
    dir = await mkdtemp(join(tmpdir(), 'bd-bundle-'));
    try {
      await seedAudit(store.db, 6);
      const anchorFile = join(dir, 'anchors.ndjson');
      await takeAnchor(store.db, anchorFile, new Date('2026-04-01T00:00:00Z'));
      const anchors = (await readAnchorFile(anchorFile)) ?? [];
      const out = join(dir, 'bundle.ndjson');
      await exportAuditBundle(store.db, {
        out,
        range: OPEN,
        force: false,
        anchors,
        now: new Date(),
      });
      lines = (await readFile(out, 'utf8')).split('\n');
    } finally {
      await store.close();
    }
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  // Line 1 is the header, so entry n is on line n + 1.
  async function verifyTampered(change: (l: string[]) => string[] | string) {
    const changed = change([...lines]);
    const file = join(dir, 'tampered.ndjson');
    await writeFile(file, typeof changed === 'string' ? changed : changed.join('\n'));
    return verifyFile(file);
  }

  it('names the entry whose actor was edited', async () => {
    const verdict = await verifyTampered((l) => {
      l[3] = (l[3] ?? '').replace('cli:alice', 'cli:mallory');
      return l;
    });
    expect(verdict).toMatchObject({ ok: false, line: 4, seq: 3 });
  });

  it('names the first missing entry when a line is deleted', async () => {
    const verdict = await verifyTampered((l) => l.filter((_, i) => i !== 4));
    expect(verdict).toMatchObject({ ok: false, line: 5, seq: 4 });
  });

  it('names the first out-of-place entry when two lines are swapped', async () => {
    const verdict = await verifyTampered((l) => {
      [l[2], l[4]] = [l[4] ?? '', l[2] ?? ''];
      return l;
    });
    expect(verdict).toMatchObject({ ok: false, line: 3, seq: 2 });
  });

  it("names the entry cut in half when the file's tail is cut off", async () => {
    const text = lines.join('\n');
    const cutInside5 = text.indexOf(lines[5] ?? '') + 40;
    const verdict = await verifyTampered(() => text.slice(0, cutInside5));
    expect(verdict).toMatchObject({ ok: false, line: 6, seq: 5 });
  });

  it('notices a file cut between lines, by its missing trailer', async () => {
    const verdict = await verifyTampered((l) => [...l.slice(0, 5), '']);
    expect(verdict).toMatchObject({
      ok: false,
      seq: 5,
      reason: expect.stringContaining('without its trailer'),
    });
  });

  // A forger who also recomputes the trailer's digest: only the exact form of a line is left.
  function withTrailerRecomputed(l: string[]): string[] {
    const end = l.findIndex((line) => line.includes('"kind":"end"'));
    const before = l
      .slice(0, end)
      .map((line) => `${line}\n`)
      .join('');
    const sha256 = createHash('sha256').update(before).digest('hex');
    l[end] = (l[end] ?? '').replace(/"sha256":"[0-9a-f]{64}"/, `"sha256":"${sha256}"`);
    return l;
  }

  it.each([
    [
      'a field added',
      (line: string) => line.replace('{"kind":"entry",', '{"kind":"entry","note":"x",'),
    ],
    [
      'a field repeated',
      (line: string) => line.replace('"actor":', '"actor":"cli:mallory","actor":'),
    ],
    [
      'fields reordered',
      (line: string) => line.replace(/^\{"kind":"entry","seq":(\d+),/, '{"seq":$1,"kind":"entry",'),
    ],
    ['spacing changed', (line: string) => line.replace('","', '", "')],
  ])('refuses an entry line with %s even with a recomputed trailer', async (_, edit) => {
    const verdict = await verifyTampered((l) => {
      const edited = edit(l[3] ?? '');
      expect(edited).not.toBe(l[3]);
      l[3] = edited;
      return withTrailerRecomputed(l);
    });
    expect(verdict).toMatchObject({
      ok: false,
      line: 4,
      seq: 3,
      reason: expect.stringMatching(/not as exported/),
    });
  });

  it('still verifies the untouched file with the trailer recomputed the same way', async () => {
    expect(await verifyTampered((l) => withTrailerRecomputed(l))).toMatchObject({ ok: true });
  });

  it('notices an edited anchor time, which no entry hash covers, by the digest', async () => {
    const verdict = await verifyTampered((l) => {
      l[7] = (l[7] ?? '').replace('2026-04-01', '2026-04-02');
      return l;
    });
    expect(verdict).toMatchObject({ ok: false, line: 9, seq: null });
  });
});

describe('audit bundle input', () => {
  it('refuses a file that is not a bundle as unreadable, not broken', async () => {
    await expect(verifyBundle(chunks('{"hello":"world"}\n'))).rejects.toMatchObject({
      code: 'BD_FILE_UNREADABLE',
    });
  });
});

function verifyFile(file: string) {
  return verifyBundle(createReadStream(file));
}

/** The text as a stream delivers it, in chunks of `size` bytes. */
function chunks(text: string, size = 1 << 16): AsyncIterable<Uint8Array> {
  const bytes = Buffer.from(text);
  return Readable.from(
    Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) =>
      bytes.subarray(i * size, (i + 1) * size),
    ),
  );
}
