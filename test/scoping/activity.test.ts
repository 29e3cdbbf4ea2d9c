/**
 * Records per tenant over time (ScopeActivity): one bucket width per run, chosen from the span
 * of all attributed events, so tenants compare on one chart; weeks start on Monday 00:00 UTC.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activityBucketFor, runScope } from '../../src/scoping/engine.ts';
import type { TenantResource } from '../../src/scoping/types.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const RESOURCES: TenantResource[] = [
  { tenantId: 'bravo', kind: 'bucket_prefix', value: 'crm/bravo/' },
  { tenantId: 'charlie', kind: 'bucket', value: 'charlie-db' },
];

function line(time: string, resource: string): string {
  return JSON.stringify({
    time,
    principal: 'svc-export',
    sourceIp: '192.0.2.10',
    action: 'read',
    resource,
  });
}

async function scopeLines(dir: string, name: string, lines: string[]) {
  await writeFile(path.join(dir, name), `${lines.join('\n')}\n`);
  return runScope({
    paths: [path.join(dir, name)],
    format: 'ndjson',
    indicators: { principals: ['svc-export'], sourceIps: [], from: null, to: null },
    resources: RESOURCES,
  });
}

describe('scoping activity over time', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'bd-scope-activity-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('chooses hours up to three days, days up to 180, then weeks', () => {
    expect(activityBucketFor(0)).toBe('hour');
    expect(activityBucketFor(3 * DAY)).toBe('hour');
    expect(activityBucketFor(3 * DAY + 1)).toBe('day');
    expect(activityBucketFor(180 * DAY)).toBe('day');
    expect(activityBucketFor(180 * DAY + 1)).toBe('week');
  });

  it('counts distinct events per UTC day per tenant when the span is over 3 days', async () => {
    const result = await scopeLines(dir, 'days.ndjson', [
      line('2024-05-10T23:30:00+02:00', 'crm/bravo/1'), // 21:30Z on the 10th
      line('2024-05-10T22:30:00-02:00', 'crm/bravo/2'), // 00:30Z on the 11th
      line('2024-05-11T08:00:00Z', 'crm/bravo/3'),
      line('2024-05-15T08:00:00Z', 'charlie-db/rows/1'),
    ]);

    const byTenant = Object.fromEntries(result.tenants.map((t) => [t.tenantId, t.activity]));
    expect(byTenant.bravo).toEqual({
      bucket: 'day',
      counts: [
        { at: '2024-05-10T00:00:00.000Z', events: 1 },
        { at: '2024-05-11T00:00:00.000Z', events: 2 },
      ],
    });
    expect(byTenant.charlie).toEqual({
      bucket: 'day',
      counts: [{ at: '2024-05-15T00:00:00.000Z', events: 1 }],
    });
  });

  it('starts weeks on Monday when the events spread over more than 180 days', async () => {
    const result = await scopeLines(dir, 'weeks.ndjson', [
      // 2024-01-07 is a Sunday, 2024-01-08 the Monday after it.
      line('2024-01-07T12:00:00Z', 'crm/bravo/1'),
      line('2024-01-08T00:00:00Z', 'crm/bravo/2'),
      line('2024-09-01T00:00:00Z', 'crm/bravo/3'),
    ]);

    expect(result.tenants[0]?.activity).toEqual({
      bucket: 'week',
      counts: [
        { at: '2024-01-01T00:00:00.000Z', events: 1 },
        { at: '2024-01-08T00:00:00.000Z', events: 1 },
        { at: '2024-08-26T00:00:00.000Z', events: 1 },
      ],
    });
  });
});
