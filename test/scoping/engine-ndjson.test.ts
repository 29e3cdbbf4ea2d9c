import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { runScope } from '../../src/scoping/engine.ts';
import type { NdjsonAccessRecord } from '../../src/scoping/ndjson-access.ts';
import type { ScopeResult, TenantResource } from '../../src/scoping/types.ts';

const RESOURCES: TenantResource[] = [
  { tenantId: 'alpha', kind: 'aws_account', value: '111111111111' },
  { tenantId: 'bravo', kind: 'bucket_prefix', value: 'crm/bravo/' },
  { tenantId: 'charlie', kind: 'bucket', value: 'charlie-db' },
];

/** One access line; the attacker's service account from the attacker's network by default. */
function buildAccess(overrides: Partial<NdjsonAccessRecord>): NdjsonAccessRecord {
  return {
    time: '2024-05-10T10:00:00Z',
    principal: 'svc-export',
    sourceIp: '192.0.2.10',
    action: 'read',
    resource: 'crm/bravo/contacts/1',
    ...overrides,
  };
}

const DAY_ONE = [
  buildAccess({ resource: 'crm/bravo/contacts/1', subject: 'p-1' }),
  buildAccess({ resource: 'crm/bravo/contacts/2', subject: 'p-2', time: '2024-05-10T11:00:00Z' }),
  buildAccess({ resource: 'crm/bravo/contacts/2', subject: 'p-2', action: 'export' }),
  buildAccess({ resource: 's3://charlie-db/rows/7', subject: 'c-7' }),
  buildAccess({ resource: 'account:111111111111', subject: 'a-1', action: 'query' }),
  buildAccess({ resource: 'crm/bravo/contacts/3', subject: 'p-3', error: 'permission denied' }),
  // Noise: another principal from another network, and the attacker before the window.
  buildAccess({ resource: 'crm/bravo/contacts/9', principal: 'alice', sourceIp: '198.51.100.1' }),
  buildAccess({ resource: 'charlie-db/rows/1', time: '2024-05-09T23:59:59Z' }),
];

const DAY_TWO = [
  buildAccess({ resource: 'charlie-db/rows/8', subject: 'c-8', sourceIp: '2001:db8::42' }),
  buildAccess({ resource: 'charlie-db/rows/8', subject: 'c-8', time: '2024-05-11T09:00:00' }),
  buildAccess({ resource: 'crm/unowned/x', time: '2024-05-11T09:30:00Z' }),
  buildAccess({ resource: 'charlie-db/rows/99', subject: 'c-99', time: 'last tuesday' }),
];

describe('scoping the generic NDJSON access log', () => {
  let dir = '';
  let result: ScopeResult;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'bd-scope-nd-'));
    const lines = (records: NdjsonAccessRecord[]) =>
      records.map((r) => JSON.stringify(r)).join('\n') + '\n';
    await writeFile(path.join(dir, 'access-2024-05-10.ndjson'), lines(DAY_ONE));
    await writeFile(path.join(dir, 'access-2024-05-11.ndjson.gz'), gzipSync(lines(DAY_TWO)));

    result = await runScope({
      paths: [`${dir}/access-*.ndjson*`],
      format: 'ndjson',
      indicators: {
        principals: ['SVC-EXPORT'],
        sourceIps: ['2001:db8::/32'],
        from: '2024-05-10T00:00:00Z',
        to: '2024-05-11T23:59:59Z',
      },
      resources: RESOURCES,
    });
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('scans every line and keeps the denied one out of the tenants', () => {
    expect(result.eventsScanned).toBe(12);
    expect(result.eventsMatched).toBe(9);
    expect(result.eventsDenied).toBe(1);
  });

  it('counts distinct data subjects per tenant', () => {
    expect(result.tenants.map((t) => [t.tenantId, t.events, t.objects, t.subjects])).toEqual([
      ['alpha', 1, 0, 1],
      ['bravo', 3, 2, 2],
      ['charlie', 3, 2, 2],
    ]);
  });

  it('names account resources and reads zone-less times as UTC', () => {
    const alpha = result.tenants.find((t) => t.tenantId === 'alpha');
    const charlie = result.tenants.find((t) => t.tenantId === 'charlie');

    expect(alpha?.resources).toBe(1);
    expect(charlie?.lastAccess).toBe('2024-05-11T09:00:00.000Z');
  });

  it('counts a matching line without a readable time apart, attributing it to nobody', () => {
    expect(result.eventsUntimed).toBe(1);
    expect(result.tenants.find((t) => t.tenantId === 'charlie')?.sampleObjects).toEqual([
      'charlie-db/rows/7',
      'charlie-db/rows/8',
    ]);
  });

  it('reports the unowned bucket', () => {
    expect(result.unmapped).toEqual({ events: 1, resources: ['crm'] });
  });
});
