/**
 * Resends of records that carry no sender event id (fast lines, CEF without externalId,
 * generic JSON without `id`): the same file ingested twice is stored once, and a record that
 * differs in one byte is stored. Regression: each resend used to be stored again.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';

import { cliActor } from '../../src/auth/actor.ts';
import { canonicalJson, contentEventId } from '../../src/intake/content-event-id.ts';
import { genericAdapter, reportRecordAdapter } from '../../src/intake/generic.ts';
import { ingestRecords } from '../../src/intake/ingest.ts';
import { adapterFor, fileRecords } from '../../src/intake/registry.ts';
import type { Store } from '../../src/store/db.ts';
import { signals } from '../../src/store/schema.ts';
import { describeEachBackend } from '../support/backends.ts';

const dir = mkdtempSync(join(tmpdir(), 'bd-content-id-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const FAST = [
  '03/10/2024-01:30:00.123456  [**] [1:2100498:7] GPL ATTACK_RESPONSE id check returned root ' +
    '[**] [Classification: Potentially Bad Traffic] [Priority: 2] {TCP} 10.0.0.1:80 -> ' +
    '10.0.0.2:51234',
  '03/10/2024-01:31:00.000001  [**] [1:2010935:3] ET SCAN Suspicious inbound [**] ' +
    '[Classification: Attempted Information Leak] [Priority: 2] {TCP} 192.0.2.1:4711 -> ' +
    '10.0.0.1:22',
  '03/10/2024-01:32:00.500000  [**] [1:2010935:3] ET SCAN Suspicious inbound [**] ' +
    '[Classification: Attempted Information Leak] [Priority: 2] {TCP} 192.0.2.9:4712 -> ' +
    '10.0.0.1:22',
];

const CEF = [
  'CEF:0|Northwind Networks|Edge Firewall|7.4.2|100042|C2 beacon blocked|8|rt=1710052200123 ' +
    'src=203.0.113.9 dst=10.0.0.5 duser=svc-backup',
  'CEF:0|Northwind Networks|Edge Firewall|7.4.2|100042|C2 beacon blocked|8|rt=1710052260123 ' +
    'src=203.0.113.9 dst=10.0.0.6 duser=svc-backup',
  '<134>Mar 10 06:32:00 fw01 CEF:0|Northwind Networks|Edge Firewall|7.4.2|100043|Port scan|5|' +
    'rt=1710052320000 src=198.51.100.7 dst=10.0.0.5',
];

const GENERIC = [
  { time: '2024-03-10T06:30:00Z', title: 'Canary token opened', host: 'files-1' },
  { time: '2024-03-10T06:31:00Z', title: 'Canary token opened', host: 'files-2' },
  { time: '2024-03-10T06:32:00Z', title: 'Bulk export', principal: 'svc-reporting' },
].map((record) => JSON.stringify(record));

// Suricata alerts without flow_id (some exporters drop it) and Zeek notices without uid.
const eve = (minute: number, src: string) =>
  JSON.stringify({
    timestamp: `2024-03-10T06:3${minute}:00.000000+0000`,
    event_type: 'alert',
    src_ip: src,
    dest_ip: '10.0.0.5',
    alert: { signature_id: 2010935, signature: 'ET SCAN Suspicious inbound', severity: 2 },
  });
const SURICATA = [eve(0, '192.0.2.1'), eve(1, '192.0.2.2'), eve(2, '192.0.2.3')];

const notice = (minute: number, src: string) =>
  JSON.stringify({
    ts: 1710052200 + minute * 60,
    note: 'Scan::Port_Scan',
    msg: `${src} scanned at least 15 unique ports`,
    src,
  });
const ZEEK = [notice(0, '192.0.2.1'), notice(1, '192.0.2.2'), notice(2, '192.0.2.3')];

// Each case: the format, its lines, and the same lines with one byte changed in the middle one.
const CASES = [
  { format: 'fast', lines: FAST, changed: FAST[1]?.replace('4711', '4712') },
  { format: 'cef', lines: CEF, changed: CEF[1]?.replace('10.0.0.6', '10.0.0.7') },
  { format: 'generic', lines: GENERIC, changed: GENERIC[1]?.replace('files-2', 'files-3') },
  { format: 'suricata', lines: SURICATA, changed: SURICATA[1]?.replace('192.0.2.2', '192.0.2.9') },
  { format: 'zeek', lines: ZEEK, changed: ZEEK[1]?.replace('192.0.2.2', '192.0.2.9') },
] as const;

function fileOf(name: string, lines: readonly string[]): string {
  const path = join(dir, name);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

describeEachBackend('ingesting a file again whose records carry no event id', (backend) => {
  let store: Store;

  beforeEach(async () => {
    store = await backend.open();
  });
  afterEach(() => store.close());

  async function ingest(format: string, path: string) {
    const adapter = adapterFor(format, format === 'fast' ? { zone: 'UTC' } : {});
    return ingestRecords(store.db, adapter, fileRecords(adapter, path), {
      actor: cliActor('admin'),
    });
  }

  it.each(CASES)('stores a resent $format file once, reporting repeats', async (c) => {
    const path = fileOf(`${c.format}-same.log`, c.lines);
    await ingest(c.format, path);

    const again = await ingest(c.format, path);

    expect(again).toMatchObject({ accepted: 0, duplicates: 0, repeats: c.lines.length });
    expect(await store.db.select().from(signals)).toHaveLength(c.lines.length);
  });

  it.each(CASES)('stores a $format record that differs in one byte', async (c) => {
    const changed = [c.lines[0] ?? '', c.changed ?? '', c.lines[2] ?? ''];
    await ingest(c.format, fileOf(`${c.format}-first.log`, c.lines));

    const again = await ingest(c.format, fileOf(`${c.format}-changed.log`, changed));

    expect(again.repeats).toBe(2);
    expect(again.accepted + again.duplicates).toBe(1);
    expect(await store.db.select().from(signals)).toHaveLength(c.lines.length + 1);
  });
});

describe('content event ids', () => {
  const at = new Date('2024-03-10T07:00:00Z');
  const idOf = (record: unknown) => {
    const outcome = genericAdapter.parse(record, at);
    return outcome.kind === 'signal' ? outcome.signal.sourceEventId : outcome.kind;
  };

  it('gives a generic record the same id whatever the order of its keys', () => {
    const record = { time: '2024-03-10T06:30:00Z', title: 'x', host: 'h', extra: { b: 1, a: 2 } };
    const reordered = {
      extra: { a: 2, b: 1 },
      host: 'h',
      title: 'x',
      time: '2024-03-10T06:30:00Z',
    };

    expect(idOf(reordered)).toBe(idOf(record));
    expect(idOf(record)).toBe(contentEventId(record));
  });

  it("keeps the sender's own id", () => {
    expect(idOf({ time: '2024-03-10T06:30:00Z', title: 'x', id: 'ticket-1' })).toBe('ticket-1');
  });

  it('replaces a sender id shaped like a content id, so no sender can claim one', () => {
    const other = { time: '2024-03-10T06:30:00Z', title: 'another record' };
    const claiming = { time: '2024-03-10T06:30:00Z', title: 'x', id: contentEventId(other) };

    expect(idOf(claiming)).toBe(contentEventId(claiming));
    expect(idOf(claiming)).not.toBe(idOf(other));
  });

  it('keeps a "__proto__" key in the canonical form', () => {
    const record = JSON.parse('{"b":1,"__proto__":{"x":1},"a":2}') as unknown;

    expect(canonicalJson(record)).toBe('{"__proto__":{"x":1},"a":2,"b":1}');
  });

  it("gives people's reports no content id: two people may report the same thing", () => {
    const outcome = reportRecordAdapter.parse({ time: '2024-03-10T06:30:00Z', title: 'x' }, at);

    expect(outcome).toMatchObject({ kind: 'signal', signal: { sourceEventId: null } });
  });
});
