import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createRandom, mulberry32 } from '../../src/demo/random.ts';
import { generateScenario, type DemoTenant, type Scenario } from '../../src/demo/scenario.ts';

// These tests read the written files back with their own parsing, so that `expected` is checked
// against the files and not against the generator's memory of them.

interface TrailRecord {
  eventID: string;
  eventTime: string;
  eventName: string;
  sourceIPAddress: string;
  recipientAccountId: string;
  errorCode?: string;
  userIdentity: { arn: string };
  requestParameters: { bucketName?: string; key?: string } | null;
}

interface EveRecord {
  timestamp: string;
  event_type: string;
  src_ip: string;
  dest_ip: string;
  dest_port: number;
  proto: string;
  alert?: { signature_id: number; signature: string; severity: number };
}

const temps: string[] = [];

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'breachdesk-scenario-'));
  temps.push(dir);
  return dir;
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

async function readTenants(s: Scenario): Promise<DemoTenant[]> {
  const parsed = JSON.parse(await readFile(s.tenantsFile, 'utf8')) as { tenants: DemoTenant[] };
  return parsed.tenants;
}

async function readEve(s: Scenario): Promise<EveRecord[]> {
  const text = await readFile(s.alertsFile, 'utf8');
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as EveRecord);
}

async function readTrail(s: Scenario): Promise<{ path: string; records: TrailRecord[] }[]> {
  const paths = await filesUnder(s.cloudtrailDir);
  return Promise.all(
    paths.map(async (path) => {
      const body = JSON.parse(gunzipSync(await readFile(path)).toString('utf8')) as {
        Records: TrailRecord[];
      };
      return { path, records: body.Records };
    }),
  );
}

function tenantsTouchedBy(record: TrailRecord, tenants: DemoTenant[]): string[] {
  const bucket = record.requestParameters?.bucketName;
  const path = `${bucket}/${record.requestParameters?.key ?? ''}`;
  return tenants
    .filter((tenant) =>
      tenant.resources.some(
        (r) =>
          (r.kind === 'aws_account' && r.value === record.recipientAccountId) ||
          (r.kind === 'bucket' && r.value === bucket) ||
          (r.kind === 'bucket_prefix' && path.startsWith(r.value)),
      ),
    )
    .map((tenant) => tenant.id);
}

let scenario: Scenario;
let tenants: DemoTenant[];
let eve: EveRecord[];
let trail: { path: string; records: TrailRecord[] }[];
let attackerRecords: TrailRecord[];

beforeAll(async () => {
  scenario = await generateScenario({ dir: await tempDir() });
  tenants = await readTenants(scenario);
  eve = await readEve(scenario);
  trail = await readTrail(scenario);
  attackerRecords = trail
    .flatMap((file) => file.records)
    .filter((r) => r.userIdentity.arn === scenario.attacker.principalArn);
});

afterAll(async () => {
  await Promise.all(temps.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('demo scenario: tenants.json', () => {
  it('writes a dozen tenants with slug ids', () => {
    expect(tenants).toHaveLength(12);
    expect(scenario.expected.tenants).toBe(12);
    expect(tenants.every((t) => /^[a-z0-9]+(-[a-z0-9]+)+$/.test(t.id))).toBe(true);
  });

  it('never gives two tenants the same resource', () => {
    const resources = tenants.flatMap((t) => t.resources.map((r) => `${r.kind}:${r.value}`));
    expect(new Set(resources).size).toBe(resources.length);
    expect(tenants.every((t) => t.resources.some((r) => /^\d{12}$/.test(r.value)))).toBe(true);
  });

  it('addresses every e-mail to a reserved example domain', () => {
    const emails = tenants.flatMap((t) => [...t.breachContacts, ...t.accountTeam]);
    const reserved = /^[a-z0-9.-]+@([a-z0-9-]+\.)*(example|example\.(com|org|net))$/;
    expect(emails.filter((contact) => !reserved.test(contact.email))).toEqual([]);
  });

  it('includes contact names outside ASCII', () => {
    const names = tenants.flatMap((t) => t.breachContacts.map((c) => c.name));
    expect(names).toEqual(expect.arrayContaining(['Zoë Müller', 'Łukasz Żółć', '佐藤 花子']));
  });

  it('gives each tenant one or two breach contacts and a support contact', () => {
    expect(tenants.every((t) => [1, 2].includes(t.breachContacts.length))).toBe(true);
    expect(tenants.every((t) => t.accountTeam.some((m) => m.role === 'support'))).toBe(true);
  });
});

describe('demo scenario: alerts.eve.json', () => {
  it('writes the requested number of lines, in time order, in Suricata time form', () => {
    const times = eve.map((e) => e.timestamp);
    expect(eve).toHaveLength(300);
    expect(times.every((t) => /^2026-11-30T\d{2}:\d{2}:\d{2}\.\d{6}\+0000$/.test(t))).toBe(true);
    expect([...times].sort()).toEqual(times);
  });

  it('counts alert and non-alert lines as they were written', () => {
    const alerts = eve.filter((e) => e.event_type === 'alert').length;
    const { alertLines, alertEvents, nonAlertEvents } = scenario.expected;
    expect({ alertLines, alertEvents, nonAlertEvents }).toEqual({
      alertLines: eve.length,
      alertEvents: alerts,
      nonAlertEvents: eve.length - alerts,
    });
    expect(new Set(eve.filter((e) => e.event_type !== 'alert').map((e) => e.event_type))).toEqual(
      new Set(['flow', 'dns', 'http']),
    );
  });

  it('repeats 5 to 10 % of alerts with the same signature, addresses and port', () => {
    const alerts = eve.filter((e) => e.alert !== undefined);
    const keys = alerts.map((e) =>
      [e.alert?.signature_id, e.src_ip, e.dest_ip, e.dest_port, e.proto].join('|'),
    );
    const distinct = new Set(keys).size;
    expect(scenario.expected.distinctAlertFingerprintsApprox).toBe(distinct);
    expect((alerts.length - distinct) / alerts.length).toBeGreaterThanOrEqual(0.05);
    expect((alerts.length - distinct) / alerts.length).toBeLessThanOrEqual(0.1);
  });

  it('has one severity-1 signature, the attack, repeated from the attacker address', () => {
    const high = eve.filter((e) => e.alert?.severity === 1);
    expect(new Set(high.map((e) => e.alert?.signature))).toEqual(
      new Set([scenario.attackSignature]),
    );
    expect(new Set(high.map((e) => e.src_ip))).toEqual(new Set([scenario.attacker.sourceIp]));
    expect(high.length).toBe(scenario.expected.attackAlertEvents);
  });
});

describe('demo scenario: cloudtrail/', () => {
  it('lays files out as CloudTrail delivers them, each in its account folder', () => {
    const folder = String.raw`AWSLogs/(\d{12})/CloudTrail/([a-z0-9-]+)/2026/11/30/`;
    const name = String.raw`\1_CloudTrail_\2_20261130T\d{4}Z_[A-Za-z0-9]{16}\.json\.gz`;
    const layout = new RegExp(`^${folder}${name}$`);
    const paths = trail.map((file) => relative(scenario.cloudtrailDir, file.path).split(sep));
    expect(paths.filter((parts) => !layout.test(parts.join('/')))).toEqual([]);
    expect(trail).toHaveLength(scenario.expected.cloudtrailFiles);
  });

  it('delivers each record to the trail of its recipient account', () => {
    const misplaced = trail.flatMap((file) =>
      file.records.filter((r) => !file.path.includes(`${sep}${r.recipientAccountId}${sep}`)),
    );
    const count = trail.reduce((sum, file) => sum + file.records.length, 0);
    expect(misplaced).toEqual([]);
    expect(count).toBe(scenario.expected.cloudtrailRecords);
  });

  it('gives every record its own eventID, so counting distinct events is exact', () => {
    const ids = trail.flatMap((file) => file.records.map((r) => r.eventID));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('shows the attacker reading exactly three tenants, with the counts expected says', () => {
    const events: Record<string, number> = {};
    const objects: Record<string, Set<string>> = {};
    for (const r of attackerRecords.filter((record) => record.errorCode === undefined)) {
      for (const id of tenantsTouchedBy(r, tenants)) {
        events[id] = (events[id] ?? 0) + 1;
        const { bucketName, key } = r.requestParameters ?? {};
        objects[id] ??= new Set();
        if (key !== undefined) objects[id].add(`${bucketName}/${key}`);
      }
    }
    const counts = Object.fromEntries(Object.entries(objects).map(([id, s]) => [id, s.size]));

    expect(Object.keys(events).sort()).toEqual(scenario.expected.affectedTenantIds);
    expect(scenario.expected.affectedTenantIds).toHaveLength(3);
    expect({ events, counts }).toEqual({
      events: scenario.expected.eventsByTenant,
      counts: scenario.expected.objectsByTenant,
    });
  });

  it('reaches at least one tenant through its prefix of a shared bucket', () => {
    const viaPrefix = scenario.expected.affectedTenantIds.filter((id) => {
      const tenant = tenants.find((t) => t.id === id);
      const prefixes = tenant?.resources.filter((r) => r.kind === 'bucket_prefix') ?? [];
      return attackerRecords.some((r) => {
        const path = `${r.requestParameters?.bucketName}/${r.requestParameters?.key ?? ''}`;
        return prefixes.some((p) => path.startsWith(p.value));
      });
    });
    expect(viaPrefix.length).toBeGreaterThanOrEqual(1);
  });

  it('records one refused attempt on a fourth tenant that does not count as touched', () => {
    const refused = attackerRecords.filter((r) => r.errorCode !== undefined);
    expect(refused.map((r) => r.errorCode)).toEqual(['AccessDenied']);
    expect(tenantsTouchedBy(refused[0] as TrailRecord, tenants)).toEqual([
      scenario.expected.deniedTenantId,
    ]);
    expect(scenario.expected.affectedTenantIds).not.toContain(scenario.expected.deniedTenantId);
  });

  it('keeps every attacker call inside the window and from the attacker address', () => {
    const { from, to, sourceIp } = scenario.attacker;
    const outside = attackerRecords.filter((r) => r.eventTime < from || r.eventTime >= to);
    const fromAttackerIp = trail
      .flatMap((file) => file.records)
      .filter((r) => r.sourceIPAddress === sourceIp);
    expect(outside).toEqual([]);
    expect(fromAttackerIp).toHaveLength(attackerRecords.length);
  });
});

describe('demo scenario: determinism and options', () => {
  async function bytesOf(dir: string): Promise<Map<string, string>> {
    const files = await filesUnder(dir);
    const entries = await Promise.all(
      files.map(async (path) => [relative(dir, path), (await readFile(path)).toString('base64')]),
    );
    return new Map(entries as [string, string][]);
  }

  it('writes byte-identical files for the same seed', async () => {
    const [a, b] = [await tempDir(), await tempDir()];
    await generateScenario({ dir: a, seed: 7, alerts: 80 });
    await generateScenario({ dir: b, seed: 7, alerts: 80 });
    expect(await bytesOf(a)).toEqual(await bytesOf(b));
  });

  it('writes a different scenario for a different seed', async () => {
    const [a, b] = [await tempDir(), await tempDir()];
    const first = await generateScenario({ dir: a, seed: 1, alerts: 80 });
    const second = await generateScenario({ dir: b, seed: 2, alerts: 80 });
    expect(await readFile(first.alertsFile)).not.toEqual(await readFile(second.alertsFile));
  });

  it('affects exactly three tenants and refuses a fourth whatever the seed', async () => {
    const dir = await tempDir();
    for (let seed = 100; seed < 110; seed += 1) {
      const s = await generateScenario({ dir, seed, alerts: 40 });
      expect(s.expected.affectedTenantIds, `seed ${seed}`).toHaveLength(3);
      expect(s.expected.affectedTenantIds, `seed ${seed}`).not.toContain(s.expected.deniedTenantId);
    }
  });

  it('refuses an alert count too small to hold the attack among the noise', async () => {
    await expect(generateScenario({ dir: await tempDir(), alerts: 5 })).rejects.toMatchObject({
      code: 'BD_CONFIG_INVALID',
      field: 'alerts',
    });
  });
});

describe('demo scenario: seeded random source', () => {
  it('repeats its sequence for the same seed', () => {
    const [a, b] = [mulberry32(42), mulberry32(42)];
    expect(Array.from({ length: 5 }, a)).toEqual(Array.from({ length: 5 }, b));
  });

  it('draws integers within both bounds', () => {
    const rng = createRandom(3);
    const draws = Array.from({ length: 2000 }, () => rng.int(-2, 2));
    expect(new Set(draws)).toEqual(new Set([-2, -1, 0, 1, 2]));
  });

  it('makes UUIDs in the version 4 form', () => {
    const uuid = createRandom(9).uuid();
    expect(uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
