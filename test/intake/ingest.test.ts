/**
 * Records that cannot be stored are rejected on their own line; the lines around them are
 * taken as usual and nothing of the bad line is left behind.
 */
import { createHash, randomBytes } from 'node:crypto';

import { afterEach, beforeEach, expect, it } from 'vitest';
import { cliActor } from '../../src/auth/actor.ts';
import { ingestRecords } from '../../src/intake/ingest.ts';
import { parseRecordsFromBody } from '../../src/intake/records.ts';
import { adapterFor } from '../../src/intake/registry.ts';
import type { Store } from '../../src/store/db.ts';
import { signals } from '../../src/store/schema.ts';
import { describeEachBackend } from '../support/backends.ts';
import { buildEveAlert } from '../support/factories.ts';

function deep(levels: number): unknown {
  let v: unknown = 'bottom';
  for (let i = 0; i < levels; i++) v = { n: v };
  return v;
}

describeEachBackend('ingest of unstorable records', (backend) => {
  let store: Store;

  beforeEach(async () => {
    store = await backend.open();
  });
  afterEach(() => store.close());

  it.each([
    ['a lone surrogate', { ...buildEveAlert({ sid: 2 }), host: '\ud83d' }, 'host'],
    ['a NUL character', { ...buildEveAlert({ sid: 2 }), host: 'a\u0000b' }, 'host'],
    ['nesting 200 levels deep', { ...buildEveAlert({ sid: 2 }), extra: deep(200) }, null],
    [
      'a timestamp in year 9999',
      buildEveAlert({ sid: 2, ts: '9999-12-31T23:59:59+0000' }),
      'timestamp',
    ],
    [
      'a timestamp in year 1',
      buildEveAlert({ sid: 2, ts: '0001-01-01T00:00:00+0000' }),
      'timestamp',
    ],
  ])('rejects %s on its line and takes the lines around it', async (_what, bad, field) => {
    const body = [buildEveAlert({ sid: 1 }), bad, buildEveAlert({ sid: 3 })]
      .map((r) => JSON.stringify(r))
      .join('\n');
    const summary = await ingestRecords(
      store.db,
      adapterFor('suricata'),
      parseRecordsFromBody(body),
      {
        actor: cliActor('admin'),
      },
    );

    expect(summary).toMatchObject({ accepted: 2, rejected: 1 });
    expect(summary.results[0]).toMatchObject({ line: 2, code: 'BD_INTAKE_FIELD_INVALID' });
    if (field !== null)
      expect(summary.results[0]).toMatchObject({ field: expect.stringContaining(field) });
    expect(await store.db.select().from(signals)).toHaveLength(2);
  });

  const wazuh = (id: string, host = 'web-01') => ({
    timestamp: '2024-01-01T10:00:00.000+0000',
    rule: { level: 10, description: 'sshd: brute force trying to get access', id: '5712' },
    agent: { id: '003', name: host },
    id,
    data: { srcip: '198.51.100.7' },
  });

  it('rejects an event id too long to index and stores the lines around it', async () => {
    const records = [wazuh('1.1'), wazuh('9'.repeat(3000)), wazuh('1.3')];
    const summary = await ingestRecords(
      store.db,
      adapterFor('wazuh'),
      records.map((record, i) => ({ line: i + 1, record })),
      { actor: cliActor('admin') },
    );

    expect(summary).toMatchObject({ rejected: 1 });
    expect(summary.accepted + summary.duplicates).toBe(2);
    expect(summary.results[0]).toMatchObject({
      line: 2,
      code: 'BD_INTAKE_FIELD_INVALID',
      field: 'sourceEventId',
      reason: expect.stringContaining('3000 bytes'),
    });
    const rows = await store.db.select().from(signals);
    expect(rows.map((r) => r.sourceEventId).sort()).toEqual(['1.1', '1.3']);
  });

  it('takes a Suricata flow_id of thousands of digits as no flow id', async () => {
    const long = { ...buildEveAlert({ sid: 2 }), flow_id: '7'.repeat(3000) };
    const body = [buildEveAlert({ sid: 1 }), long, buildEveAlert({ sid: 3 })]
      .map((r) => JSON.stringify(r))
      .join('\n');
    const summary = await ingestRecords(
      store.db,
      adapterFor('suricata'),
      parseRecordsFromBody(body),
      { actor: cliActor('admin') },
    );

    expect(summary).toMatchObject({ accepted: 3, rejected: 0 });
    const rows = await store.db.select().from(signals);
    expect(rows.every((r) => (r.sourceEventId ?? '').length < 100)).toBe(true);
  });

  /** Wazuh alerts grouped by host, each with a rule of its own so that only the host joins them. */
  const ingestByHost = (alerts: ReturnType<typeof wazuh>[]) =>
    ingestRecords(
      store.db,
      adapterFor('wazuh'),
      alerts.map((r, i) => ({
        line: i + 1,
        record: { ...r, rule: { ...r.rule, id: String(5712 + i), description: `rule ${i}` } },
      })),
      {
        actor: cliActor('admin'),
        keepAllResults: true,
        correlation: { default: { groupBy: ['host'] } },
      },
    );

  it('groups by a host name of 50,000 characters through its digest', async () => {
    // Random text: a repeated character would compress below the index limit.
    const huge = `h${randomBytes(25_000).toString('hex')}`;
    const other = `h${randomBytes(25_000).toString('hex')}`;
    const summary = await ingestByHost([
      wazuh('2.1', huge),
      wazuh('2.2', huge),
      wazuh('2.3', other),
    ]);

    expect(summary).toMatchObject({ accepted: 3, rejected: 0 });
    const [a, b, c] = summary.results as { investigationId: string }[];
    expect(b?.investigationId).toBe(a?.investigationId);
    expect(c?.investigationId).not.toBe(a?.investigationId);
    const rows = await store.db.select().from(signals);
    expect(rows.filter((r) => r.host === huge)).toHaveLength(2);
  });

  it('never lets a host named like a digest join the long host it imitates', async () => {
    const huge = `h${randomBytes(25_000).toString('hex')}`;
    const imitation = `sha256:${createHash('sha256').update(huge, 'utf8').digest('hex')}`;
    const summary = await ingestByHost([wazuh('3.1', huge), wazuh('3.2', imitation)]);

    expect(summary).toMatchObject({ accepted: 2, rejected: 0 });
    const [a, b] = summary.results as { investigationId: string }[];
    expect(b?.investigationId).not.toBe(a?.investigationId);
  });
});

describeEachBackend('text as stored', (backend) => {
  let store: Store;

  beforeEach(async () => {
    store = await backend.open();
  });
  afterEach(() => store.close());

  it('keeps an alert whose title has line breaks or bidi overrides, on one line', async () => {
    const record = {
      time: '2026-11-30T08:00:00Z',
      title: 'Impossible travel\nfrom\u202E two\u001b[2K countries',
      host: 'web-01',
    };
    const summary = await ingestRecords(store.db, adapterFor('generic'), [{ line: 1, record }], {
      actor: cliActor('admin'),
    });

    expect(summary).toMatchObject({ accepted: 1, rejected: 0 });
    const [row] = await store.db.select().from(signals);
    expect(row?.title).toBe('Impossible travel from two [2K countries');
    expect((row?.raw as { title: string }).title).toBe(record.title);
  });

  it('stores tabs, backslashes, line breaks, a literal \\N and any Unicode exactly', async () => {
    // Signal rows travel in COPY text format, where tab, newline, backslash and \N are syntax.
    const record = {
      time: '2026-11-30T08:00:00Z',
      id: 'evt\t1\\2',
      title: 'C:\\Temp\\payload "x" ✓ 😀 ﬁ',
      host: '\\N',
      principal: 'CORP\\alice\tadmin',
      tenant: '',
      nested: { 'key\twith\\tab': ['line\nbreak', '\r\n', '\\N', '\\\\', 'é'] },
    };
    const adapter = adapterFor('generic');
    const parsed = adapter.parse(record, new Date());
    if (parsed.kind !== 'signal') throw new Error(`the generic adapter refused the record`);

    const summary = await ingestRecords(store.db, adapter, [{ line: 1, record }], {
      actor: cliActor('admin'),
    });

    expect(summary).toMatchObject({ accepted: 1, rejected: 0 });
    const [row] = await store.db.select().from(signals);
    expect(row).toMatchObject({
      sourceEventId: parsed.signal.sourceEventId,
      title: record.title,
      host: '\\N',
      principal: parsed.signal.principal,
      fingerprint: parsed.signal.fingerprint,
    });
    expect(row?.host).not.toBeNull();
    expect(row?.raw).toEqual(record);
    expect(row?.observables).toEqual(parsed.signal.observables);
  });

  it('stores rows larger than one COPY chunk whole, in among small ones', async () => {
    // Rows go out in chunks of 256 KiB; a row of several chunks must neither split nor merge.
    const note = (n: number) => `${randomBytes(n / 2).toString('hex')}\t✓`;
    // Then 400 small rows of about 1.3 KB, which fill a chunk and cross into the next.
    const sizes = [10, 600_000, 20, 300_000, 262_000, 30, ...Array<number>(400).fill(1_000)];
    const records = sizes.map((n, i) => ({
      time: '2026-11-30T08:00:00Z',
      id: `big-${i}`,
      title: `row ${i}`,
      note: note(n),
    }));
    const summary = await ingestRecords(
      store.db,
      adapterFor('generic'),
      records.map((record, i) => ({ line: i + 1, record })),
      { actor: cliActor('admin') },
    );

    expect(summary).toMatchObject({ accepted: sizes.length, rejected: 0 });
    const rows = await store.db.select().from(signals);
    const byId = new Map(rows.map((r) => [r.sourceEventId, r.raw]));
    for (const record of records) expect(byId.get(record.id)).toEqual(record);
  });
});
