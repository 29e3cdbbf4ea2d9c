/**
 * `--format auto` on Zeek logs that carry no `uid`: pe.log and x509.log, as Zeek's JSON
 * writer, as a shipper's JSON (the OTRF samples) and as the tab-separated log. Regression:
 * the JSON forms were refused as an unknown format. The zeek adapter then decides: these are
 * not notices, so each record is skipped naming its log.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { detectFormat, sniffFile } from '../../src/intake/auto.ts';
import type { ParseOutcome } from '../../src/intake/outcome.ts';
import { adapterFor, fileRecords } from '../../src/intake/registry.ts';
import { PUBLIC_DATA, hasPublicData } from '../support/public-data.ts';
import { tsv } from '../support/zeek-tsv.ts';

const dir = mkdtempSync(join(tmpdir(), 'bd-auto-zeek-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Zeek 6's JSON writer: dotted field names, no `_path`, no `uid` on file logs.
const PE_JSON = {
  ts: 1710052200.123456,
  id: 'FV8BmBzhLupORXNNc',
  machine: 'AMD64',
  compile_ts: 1536071929.0,
  os: 'Windows XP x64 or Server 2003',
  subsystem: 'WINDOWS_CUI',
  is_exe: true,
  section_names: ['UPX0', 'UPX1', '.rsrc'],
};
// Zeek 5 and later name the certificate by its fingerprint, no longer by a file id.
const X509_JSON = {
  ts: 1710052201.5,
  fingerprint: '1f3a0c5b9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b',
  'certificate.version': 3,
  'certificate.serial': '06743FC495E54B7B',
  'certificate.subject': 'CN=conn.sons.example,O=Conn and Sons,C=US',
  'certificate.issuer': 'CN=conn.sons.example,O=Conn and Sons,C=US',
  host_cert: true,
  client_cert: false,
};

function tsvLog(path: string, fields: string[], types: string[], row: string[]): string {
  return [
    String.raw`#separator \x09`,
    tsv('#set_separator', ','),
    tsv('#empty_field', '(empty)'),
    tsv('#unset_field', '-'),
    tsv('#path', path),
    tsv('#open', '2024-03-10-06-00-00'),
    tsv('#fields', ...fields),
    tsv('#types', ...types),
    tsv(...row),
    tsv('#close', '2024-03-10-07-00-00'),
  ].join('\n');
}

const PE_TSV = tsvLog(
  'pe',
  ['ts', 'id', 'machine', 'compile_ts', 'is_exe', 'section_names'],
  ['time', 'string', 'string', 'time', 'bool', 'vector[string]'],
  ['1710052200.123456', 'FV8BmBzhLupORXNNc', 'AMD64', '1536071929.000000', 'T', 'UPX0,UPX1'],
);
const X509_TSV = tsvLog(
  'x509',
  ['ts', 'fingerprint', 'certificate.version', 'certificate.subject', 'host_cert'],
  ['time', 'string', 'count', 'string', 'bool'],
  ['1710052201.500000', X509_JSON.fingerprint, '3', 'CN=conn.sons.example', 'T'],
);

/** Writes `text` to a file, sniffs it, and reads its records through the chosen adapter. */
async function autoIngest(name: string, text: string) {
  const path = join(dir, name);
  writeFileSync(path, `${text}\n`);

  const detected = await sniffFile(path);
  const adapter = adapterFor(detected.format);
  const outcomes: ParseOutcome[] = [];
  for await (const item of fileRecords(adapter, path)) {
    if ('record' in item) outcomes.push(adapter.parse(item.record, new Date()));
  }
  return { format: detected.format, outcomes };
}

describe('auto on Zeek pe and x509 logs', () => {
  it("picks zeek for pe.log as Zeek's JSON writer writes it", () => {
    expect(detectFormat({ firstLines: [JSON.stringify(PE_JSON)] }).format).toBe('zeek');
  });

  it("picks zeek for x509.log as Zeek's JSON writer writes it", () => {
    expect(detectFormat({ firstLines: [JSON.stringify(X509_JSON)] }).format).toBe('zeek');
  });

  it("picks zeek for x509.log in a shipper's underscored spelling", () => {
    const underscored = Object.fromEntries(
      Object.entries(X509_JSON).map(([k, v]) => [k.replace('.', '_'), v]),
    );
    expect(detectFormat({ firstLines: [JSON.stringify(underscored)] }).format).toBe('zeek');
  });

  it('picks zeek for a record a shipper names in @stream, unless @proc names another', () => {
    const weird = {
      '@stream': 'weird',
      '@proc': 'zeek',
      ts: 1710052200.5,
      name: 'bad_TCP_checksum',
    };
    expect(detectFormat({ firstLines: [JSON.stringify(weird)] }).format).toBe('zeek');

    const other = { ...weird, '@proc': 'fsf' };
    expect(detectFormat({ firstLines: [JSON.stringify(other)] }).format).toBeNull();
  });

  // Already recognised before the fix (the #separator header); kept so it stays that way.
  it.each([
    ['pe', PE_TSV],
    ['x509', X509_TSV],
  ])('picks zeek for the tab-separated %s log', (_path, text) => {
    expect(detectFormat({ firstLines: text.split('\n') }).format).toBe('zeek');
  });

  // Zeek's own JSON writer names no log, so the adapter can only say it is not a notice.
  it('lets the zeek adapter skip a pe.log record as not a notice', async () => {
    const { format, outcomes } = await autoIngest('pe.json.log', JSON.stringify(PE_JSON));

    expect(format).toBe('zeek');
    expect(outcomes).toEqual([
      { kind: 'skipped', reason: expect.stringContaining('not a notice') as unknown },
    ]);
  });

  it.each([
    ['pe.tsv.log', PE_TSV, 'pe'],
    ['x509.tsv.log', X509_TSV, 'x509'],
    ['x509.stream.log', JSON.stringify({ '@stream': 'x509', ...X509_JSON }), 'x509'],
  ])('lets the zeek adapter skip %s, naming the log', async (name, text, path) => {
    const { format, outcomes } = await autoIngest(name, text);

    expect(format).toBe('zeek');
    expect(outcomes).toEqual([
      { kind: 'skipped', reason: expect.stringContaining(`"${path}" log`) as unknown },
    ]);
  });

  it('still refuses JSON with ts and an id that is no Zeek file id', () => {
    const line = JSON.stringify({ ts: 1710052200, id: 'order-4711', machine: 'AMD64' });
    expect(detectFormat({ firstLines: [line] }).format).toBeNull();
  });
});

const ZEEK_SAMPLES = join(PUBLIC_DATA, 'otrf-apt29-zeek');

describe.skipIf(!hasPublicData)('auto on every real OTRF Zeek log', () => {
  const files = hasPublicData ? readdirSync(ZEEK_SAMPLES).filter((f) => f.endsWith('.log')) : [];

  it.each(files)('%s is detected as zeek', async (file) => {
    await expect(sniffFile(join(ZEEK_SAMPLES, file))).resolves.toMatchObject({ format: 'zeek' });
  });
});
