import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

import type { NormalizedSignal } from '../../src/domain/types.ts';
import type { ParseOutcome } from '../../src/intake/outcome.ts';
import { fileRecords } from '../../src/intake/registry.ts';
import { zeekAdapter } from '../../src/intake/zeek.ts';
import { zeekRecordsFromBody } from '../../src/intake/zeek-log-reader.ts';
import { observable } from '../support/observable-matchers.ts';
import { PUBLIC_DATA, hasPublicData } from '../support/public-data.ts';
import { NOTICE_TSV } from '../support/zeek-tsv.ts';

const RECEIVED_AT = new Date('2024-03-10T07:00:00Z');
const ZEEK_DIR = `${PUBLIC_DATA}/otrf-apt29-zeek`;

/** A notice as Zeek's JSON writer prints it (dotted keys, epoch seconds). */
function buildNotice(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ts: 1710052200.123456,
    uid: 'CHhAvVGS1DHFjwGM9',
    'id.orig_h': '203.0.113.9',
    'id.orig_p': 51234,
    'id.resp_h': '10.0.0.5',
    'id.resp_p': 22,
    proto: 'tcp',
    note: 'SSH::Password_Guessing',
    msg: '203.0.113.9 appears to be guessing SSH passwords (seen in 30 connections).',
    sub: 'Sampled servers:  10.0.0.5',
    src: '203.0.113.9',
    actions: ['Notice::ACTION_LOG'],
    ...overrides,
  };
}

function parse(record: unknown): ParseOutcome {
  return zeekAdapter.parse(record, RECEIVED_AT);
}

function signalOf(record: unknown): NormalizedSignal {
  const outcome = parse(record);
  if (outcome.kind !== 'signal')
    throw new Error(`expected a signal, got ${JSON.stringify(outcome)}`);
  return outcome.signal;
}

function fingerprintOf(outcome: ParseOutcome | undefined): string | null {
  return outcome?.kind === 'signal' ? outcome.signal.fingerprint : null;
}

describe('zeek adapter on JSON notices', () => {
  it('turns a notice into a signal with epoch seconds read as UTC', () => {
    const record = buildNotice();

    expect(signalOf(record)).toMatchObject({
      format: 'zeek',
      sourceEventId: 'CHhAvVGS1DHFjwGM9:SSH::Password_Guessing:1710052200.123456',
      occurredAt: '2024-03-10T06:30:00.123Z',
      originalTimestamp: '1710052200.123456',
      title:
        'SSH::Password_Guessing: 203.0.113.9 appears to be guessing SSH passwords ' +
        '(seen in 30 connections).',
      severity: 'low',
      sourceIp: '203.0.113.9',
      destinationIp: '10.0.0.5',
      raw: record,
    });
  });

  it('reads ISO 8601 ts written with JSON::TS_ISO8601', () => {
    const signal = signalOf(buildNotice({ ts: '2024-03-10T01:30:00.123456-05:00' }));

    expect(signal.occurredAt).toBe('2024-03-10T06:30:00.123Z');
  });

  it('reads nested and underscore spellings of the connection fields alike', () => {
    const bare = { src: undefined, 'id.orig_h': undefined, 'id.resp_h': undefined };
    const nested = buildNotice({ ...bare, id: { orig_h: '203.0.113.9', resp_h: '10.0.0.5' } });
    const underscored = buildNotice({ ...bare, id_orig_h: '203.0.113.9', id_resp_h: '10.0.0.5' });

    expect(signalOf(nested).fingerprint).toBe(signalOf(buildNotice()).fingerprint);
    expect(signalOf(underscored).fingerprint).toBe(signalOf(buildNotice()).fingerprint);
  });

  it.each([
    [['Notice::ACTION_LOG', 'Notice::ACTION_PAGE'], 'high'],
    [['Notice::ACTION_DROP'], 'high'],
    [['Notice::ACTION_ALARM'], 'medium'],
    [['Notice::ACTION_EMAIL'], 'medium'],
    [['Notice::ACTION_LOG'], 'low'],
    [undefined, 'low'],
  ])('rates a notice with actions %j as %s', (actions, severity) => {
    expect(signalOf(buildNotice({ actions })).severity).toBe(severity);
  });

  it('keeps the fingerprint when only time, message, ports and uid change', () => {
    const again = buildNotice({
      ts: 1710099999.5,
      msg: '203.0.113.9 appears to be guessing SSH passwords (seen in 90 connections).',
      'id.orig_p': 60001,
      uid: 'Cother',
    });

    expect(signalOf(again).fingerprint).toBe(signalOf(buildNotice()).fingerprint);
  });

  it('skips a record without note and says which log it came from', () => {
    expect(parse({ _path: 'conn', ts: 1, uid: 'C1' })).toEqual({
      kind: 'skipped',
      reason: 'record has no note, so it is not a notice (a record of Zeek\'s "conn" log)',
    });
  });

  describe('rejections', () => {
    it.each([
      ['a missing ts', { ts: undefined }, 'BD_INTAKE_FIELD_MISSING', 'ts'],
      ['a ts that is not a number', { ts: 'yesterday' }, 'BD_INTAKE_FIELD_INVALID', 'ts'],
      ['a negative ts', { ts: -5 }, 'BD_INTAKE_FIELD_INVALID', 'ts'],
      ['an ISO ts without offset', { ts: '2024-03-10T01:30:00' }, 'BD_INTAKE_FIELD_INVALID', 'ts'],
      ['a note that is not text', { note: 42 }, 'BD_INTAKE_FIELD_INVALID', 'note'],
    ])('rejects %s with its field path', (_label, overrides, code, field) => {
      expect(parse(buildNotice(overrides))).toMatchObject({ kind: 'rejected', code, field });
    });

    it('rejects a record that is not an object, with no field', () => {
      expect(parse('notice')).toMatchObject({ kind: 'rejected', field: null });
    });
  });
});

describe('zeek adapter on TSV notices', () => {
  const signals = [...zeekRecordsFromBody(NOTICE_TSV)].map((item) =>
    'record' in item ? signalOf(item.record) : item,
  );

  it('reads a scan notice without a connection from src and dst', () => {
    expect(signals[0]).toMatchObject({
      sourceEventId: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
      occurredAt: '2024-03-10T06:30:00.123Z',
      title: expect.stringMatching(/^Scan::Port_Scan: 198\.51\.100\.7 scanned/) as unknown,
      severity: 'medium',
      host: 'worker-1',
      sourceIp: '198.51.100.7',
      destinationIp: '10.0.0.5',
    });
  });

  it('canonicalises IPv6 endpoints and collects the notified addresses', () => {
    expect(signals[1]).toMatchObject({
      occurredAt: '2024-03-10T06:31:00.000Z',
      sourceIp: '2001:db8::7',
      destinationIp: '2001:db8::5',
      observables: expect.arrayContaining([
        observable('email', 'soc@example.org', 'notified'),
      ]) as unknown,
    });
  });
});

describe.skipIf(!hasPublicData)('zeek adapter on otrf-apt29-zeek', () => {
  async function outcomes(file: string): Promise<ParseOutcome[]> {
    const all: ParseOutcome[] = [];
    for await (const item of fileRecords(zeekAdapter, `${ZEEK_DIR}/${file}`)) {
      if ('error' in item) throw new Error(`${file}:${item.line}: ${item.error}`);
      all.push(parse(item.record));
    }
    return all;
  }

  it('reads the NASHUA SSL::Invalid_Server_Cert notice exactly', async () => {
    const [outcome, ...rest] = await outcomes('NASHUA_notice.log');

    expect(rest).toEqual([]);
    expect(outcome).toMatchObject({
      kind: 'signal',
      signal: {
        sourceEventId: 'CpnezL3085IfcJzSAe:SSL::Invalid_Server_Cert:1588207244.740518',
        occurredAt: '2020-04-30T00:40:44.740Z',
        originalTimestamp: '1588207244.740518',
        title:
          'SSL::Invalid_Server_Cert: SSL certificate validation failed with (self signed ' +
          'certificate)',
        severity: 'low',
        host: 'bobs.bigwheel.local',
        sourceIp: '10.0.1.6',
        destinationIp: '192.168.0.4',
      },
    });
  });

  it("gives the two hosts' certificate notices different fingerprints", async () => {
    const [nashua] = await outcomes('NASHUA_notice.log');
    const [scranton] = await outcomes('SCRANTON_notice.log');

    expect(nashua).toMatchObject({ kind: 'signal' });
    expect(scranton).toMatchObject({ kind: 'signal' });
    expect(fingerprintOf(nashua)).not.toBe(fingerprintOf(scranton));
  });

  it('skips every record of the other SCRANTON logs, naming the log', async () => {
    const others = readdirSync(ZEEK_DIR).filter(
      (file) => file.startsWith('SCRANTON_') && file !== 'SCRANTON_notice.log',
    );

    for (const file of others) {
      const lines = readFileSync(`${ZEEK_DIR}/${file}`, 'utf8').split('\n').filter(Boolean);
      const stream = file.slice('SCRANTON_'.length, -'.log'.length);

      const found = await outcomes(file);

      expect(found, file).toHaveLength(lines.length);
      expect(new Set(found.map((outcome) => outcome.kind)), file).toEqual(new Set(['skipped']));
      expect(found[0], file).toMatchObject({ reason: expect.stringContaining(`"${stream}"`) });
    }
  });
});
