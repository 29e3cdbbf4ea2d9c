/**
 * Real files written by Suricata and Wazuh, read in place from ../shared/data/public (never
 * copied into the project). Expected numbers are worked out here from the raw lines, not
 * taken from the adapters under test.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

import type { NormalizedSignal } from '../../src/domain/types.ts';
import type { ParseOutcome } from '../../src/intake/outcome.ts';
import { readRecords } from '../../src/intake/records.ts';
import { adapterFor } from '../../src/intake/registry.ts';
import { PUBLIC_DATA } from '../support/public-data.ts';

const DATA_DIR = PUBLIC_DATA + '/';
const HAS_DATA = existsSync(DATA_DIR);
const SURICATA_EVE = `${DATA_DIR}suricata-eve-docker-pr/eve.json`;
const WAZUH_ALERTS = `${DATA_DIR}wazuh-alerts/alerts.json`;
const RECEIVED_AT = new Date('2026-01-01T00:00:00Z');

type Tally = { outcomes: ParseOutcome[]; signals: NormalizedSignal[]; badLines: number };

async function runFile(format: string, path: string): Promise<Tally> {
  const adapter = adapterFor(format);
  const tally: Tally = { outcomes: [], signals: [], badLines: 0 };

  for await (const item of readRecords(path)) {
    if ('error' in item) {
      tally.badLines += 1;
      continue;
    }
    const outcome = adapter.parse(item.record, RECEIVED_AT);
    tally.outcomes.push(outcome);
    if (outcome.kind === 'signal') tally.signals.push(outcome.signal);
  }
  return tally;
}

function rawLines(path: string): Record<string, unknown>[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

if (!HAS_DATA) {
  describe('real public samples', () => {
    it.skip('../shared/data/public not found: real-data tests skipped', () => undefined);
  });
}

describe.skipIf(!HAS_DATA)('suricata adapter on suricata-eve-docker-pr/eve.json', () => {
  it('turns exactly the alert events into signals and skips every other event', async () => {
    const events = rawLines(SURICATA_EVE);
    const alerts = events.filter((event) => event.event_type === 'alert').length;

    const tally = await runFile('suricata', SURICATA_EVE);

    expect(tally.badLines).toBe(0);
    expect(tally.signals).toHaveLength(alerts);
    expect(tally.outcomes.filter((o) => o.kind === 'skipped')).toHaveLength(events.length - alerts);
  });

  it('finds the 7 alerts among 1,700 lines that SOURCE.md describes', async () => {
    const tally = await runFile('suricata', SURICATA_EVE);

    expect(tally.outcomes).toHaveLength(1_700);
    expect(tally.signals).toHaveLength(7);
  });

  it('names the skipped event types (http and tls) in the reasons', async () => {
    const tally = await runFile('suricata', SURICATA_EVE);
    const reasons = new Set(
      tally.outcomes.flatMap((o) => (o.kind === 'skipped' ? [o.reason] : [])),
    );

    expect(reasons).toEqual(
      new Set(['event_type "http" is not an alert', 'event_type "tls" is not an alert']),
    );
  });

  it('reads the +0000 microsecond timestamps as UTC, truncated to ms', async () => {
    const tally = await runFile('suricata', SURICATA_EVE);

    for (const signal of tally.signals) {
      expect(signal.originalTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+0000$/);
      expect(signal.occurredAt).toBe(`${signal.originalTimestamp.slice(0, 23)}Z`);
    }
  });

  it('gives one fingerprint per signature, source, destination and protocol', async () => {
    const identities = new Set(
      rawLines(SURICATA_EVE)
        .filter((event) => event.event_type === 'alert')
        .map((event) => {
          const alert = event.alert as Record<string, unknown>;
          return JSON.stringify([alert.signature_id, event.src_ip, event.dest_ip, event.proto]);
        }),
    );

    const tally = await runFile('suricata', SURICATA_EVE);

    expect(new Set(tally.signals.map((signal) => signal.fingerprint)).size).toBe(identities.size);
  });

  it('rates the protocol-anomaly alerts (Suricata severity 3) as low', async () => {
    const tally = await runFile('suricata', SURICATA_EVE);

    expect(new Set(tally.signals.map((signal) => signal.severity))).toEqual(new Set(['low']));
  });
});

describe.skipIf(!HAS_DATA)('wazuh adapter on wazuh-alerts/alerts.json', () => {
  it('turns every one of the 12 alerts into a signal', async () => {
    const lines = rawLines(WAZUH_ALERTS).length;

    const tally = await runFile('wazuh', WAZUH_ALERTS);

    expect(lines).toBe(12);
    expect(tally.badLines).toBe(0);
    expect(tally.signals).toHaveLength(lines);
  });

  it('converts +0100 manager timestamps to UTC', async () => {
    const tally = await runFile('wazuh', WAZUH_ALERTS);
    const abuse = tally.signals.find((s) => s.sourceEventId === '1765450544.10736222');

    expect(abuse).toMatchObject({
      originalTimestamp: '2025-12-11T11:55:44.091+0100',
      occurredAt: '2025-12-11T10:55:44.091Z',
    });
  });

  it('reads the sshd brute-force alert (rule 5712) with source and user', async () => {
    const tally = await runFile('wazuh', WAZUH_ALERTS);
    const sshd = tally.signals.find((s) => s.sourceEventId === '1652272159.1549653');

    expect(sshd).toMatchObject({
      severity: 'medium',
      sourceIp: '172.17.1.1',
      principal: 'paco',
      host: 'localhost.localdomain',
    });
  });

  it('rates the level-12 and level-13 enrichment alerts high', async () => {
    const highRules = rawLines(WAZUH_ALERTS)
      .filter((alert) => Number((alert.rule as Record<string, unknown>).level) >= 12)
      .map((alert) => alert.id);

    const tally = await runFile('wazuh', WAZUH_ALERTS);
    const high = tally.signals.filter((s) => s.severity === 'high').map((s) => s.sourceEventId);

    expect(highRules).toHaveLength(2);
    expect(high).toEqual(highRules);
  });

  it('never takes the masked <puiblic-ip> placeholders for addresses', async () => {
    const tally = await runFile('wazuh', WAZUH_ALERTS);
    const addresses = tally.signals.flatMap((s) => [s.sourceIp, s.destinationIp]);

    expect(addresses.filter((ip) => ip !== null)).toEqual(['172.17.1.1']);
  });

  it('merges the five osquery results of agent 009 (shared rule 24010)', async () => {
    const tally = await runFile('wazuh', WAZUH_ALERTS);
    const osquery = tally.signals.filter((s) => s.title.startsWith('osquery:'));

    expect(osquery).toHaveLength(5);
    expect(new Set(osquery.map((s) => s.fingerprint)).size).toBe(1);
  });
});
