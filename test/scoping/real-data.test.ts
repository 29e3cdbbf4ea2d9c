import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

import { runScope } from '../../src/scoping/engine.ts';
import type { ScopeIndicators, TenantResource } from '../../src/scoping/types.ts';
import { PUBLIC_DATA } from '../support/public-data.ts';

// Real files written by others (see each folder's SOURCE.md); read in place, never copied.
const DATA = PUBLIC_DATA;
const present = existsSync(DATA);

const OTRF = path.join(DATA, 'otrf-aws-cloudtrail-s3-exfil/*.json');
const PANTHER = path.join(DATA, 'panther-analysis-test-logs/aws_cloudtrail_s3_events.ndjson');
const PLASO = path.join(DATA, 'plaso-cloud-audit-logs/aws_cloudtrail.jsonl');

/** The CloudTrail fields the expectations below read. */
interface TrailRecord {
  eventID?: string;
  eventName?: string;
  eventSource?: string;
  eventTime?: string;
  '@timestamp'?: string;
  errorCode?: string;
  sourceIPAddress?: string;
  recipientAccountId?: string;
  userIdentity?: {
    arn?: string;
    principalId?: string;
    userName?: string;
    sessionContext?: { sessionIssuer?: { arn?: string } };
  };
  requestParameters?: { bucketName?: string; key?: string; prefix?: string } | null;
  resources?: { ARN?: string; arn?: string; ARNPrefix?: string; arnPrefix?: string }[];
  CloudTrailEvent?: string;
}

// Written out again here rather than imported, so that the expectations stay independent.
const DATA_ACTIONS = new Set(
  (
    'GetObject HeadObject GetObjectAttributes SelectObjectContent ListObjects ListObjectsV2 ' +
    'ListObjectVersions ListBucket PutObject CopyObject CreateMultipartUpload UploadPart ' +
    'UploadPartCopy CompleteMultipartUpload DeleteObject DeleteObjects'
  ).split(' '),
);

/** Every CloudTrail record in a file of one-object-per-line, unwrapping lookup-events lines. */
function readRecords(file: string): TrailRecord[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as TrailRecord)
    .map((outer) =>
      typeof outer.CloudTrailEvent === 'string'
        ? (JSON.parse(outer.CloudTrailEvent) as TrailRecord)
        : outer,
    );
}

/** The one data file of a folder; the OTRF file name carries the capture date. */
function fileOf(pattern: string): string {
  const dir = path.dirname(pattern);
  const name = readdirSync(dir).find((f) => f.endsWith('.json'));
  return path.join(dir, name ?? '');
}

function timeOf(record: TrailRecord): number {
  const raw = String(record.eventTime ?? record['@timestamp']);
  const zoned = /Z|[+-]\d\d:\d\d$/.test(raw) ? raw : `${raw.replace(' ', 'T').slice(0, 23)}Z`;
  return Date.parse(zoned);
}

interface Touch {
  bucket: string | null;
  path: string | null;
  isObject: boolean;
}

function touchesOf(record: TrailRecord): Touch[] {
  const parse = (arn: string, isPrefix: boolean): Touch => {
    const rest = arn.replace(/^arn:[^:]*:s3:::/, '');
    const slash = rest.indexOf('/');
    const p = slash === -1 ? null : rest.slice(slash + 1) || null;
    return {
      bucket: slash === -1 ? rest : rest.slice(0, slash),
      path: p,
      isObject: !isPrefix && p !== null,
    };
  };
  const fromResources: Touch[] = [];
  for (const r of record.resources ?? []) {
    const arn = r.ARN ?? r.arn;
    const prefix = r.ARNPrefix ?? r.arnPrefix;
    if (arn?.includes(':s3:::') === true) fromResources.push(parse(arn, false));
    if (prefix?.includes(':s3:::') === true) fromResources.push(parse(prefix, true));
  }
  const params = record.requestParameters ?? {};
  const touches: Touch[] =
    fromResources.length > 0
      ? fromResources
      : typeof params.bucketName === 'string'
        ? [
            {
              bucket: params.bucketName,
              path: params.key ?? params.prefix ?? null,
              isObject: params.key !== undefined && params.key !== '',
            },
          ]
        : [{ bucket: null, path: null, isObject: false }];
  return touches.filter(
    (t) => t.path !== null || !touches.some((u) => u.bucket === t.bucket && u.path !== null),
  );
}

function ownerOf(touch: Touch, account: string, resources: TenantResource[]): string | null {
  return owningResource(touch, account, resources)?.tenantId ?? null;
}

function owningResource(touch: Touch, account: string, resources: TenantResource[]) {
  const prefixes = resources
    .filter((r) => r.kind === 'bucket_prefix')
    .map((r) => ({
      ...r,
      bucket: r.value.split('/')[0],
      prefix: r.value.slice(r.value.indexOf('/') + 1),
    }))
    .filter((r) => r.bucket === touch.bucket && touch.path?.startsWith(r.prefix) === true)
    .sort((a, b) => b.prefix.length - a.prefix.length);
  const bucket = resources.find((r) => r.kind === 'bucket' && r.value === touch.bucket);
  const owner = resources.find((r) => r.kind === 'aws_account' && r.value === account);
  return prefixes[0] ?? bucket ?? owner ?? null;
}

/** What the engine should report, computed with nothing but JSON.parse and loops. */
function expectedScope(
  records: TrailRecord[],
  matches: (r: TrailRecord) => boolean,
  resources: TenantResource[],
) {
  const tenants = new Map<
    string,
    {
      events: Set<string>;
      buckets: Set<string>;
      objects: Set<string>;
      actions: Set<string>;
      touched: Set<string>;
      times: number[];
      eventTimes: Map<string, number>;
    }
  >();
  let denied = 0;
  records.forEach((record, i) => {
    if (!matches(record) || record.eventSource !== 's3.amazonaws.com') return;
    if (!DATA_ACTIONS.has(record.eventName ?? '')) return;
    if (record.errorCode !== undefined) return void (denied += 1);
    const uid = record.userIdentity ?? {};
    const key =
      record.eventID !== undefined
        ? [
            record.eventID,
            record.eventName,
            record.eventTime ?? record['@timestamp'],
            uid.arn,
            uid.principalId,
          ].join('|')
        : `row${i}`;
    for (const touch of touchesOf(record)) {
      const tenantId = ownerOf(touch, record.recipientAccountId ?? '', resources);
      if (tenantId === null) continue;
      const t = tenants.get(tenantId) ?? {
        events: new Set(),
        buckets: new Set(),
        objects: new Set(),
        actions: new Set(),
        touched: new Set(),
        times: [] as number[],
        eventTimes: new Map<string, number>(),
      };
      tenants.set(tenantId, t);
      t.events.add(key);
      t.buckets.add(touch.bucket ?? `account:${record.recipientAccountId}`);
      if (touch.isObject) t.objects.add(`${touch.bucket}/${touch.path}`);
      t.actions.add(record.eventName ?? '');
      const owning = owningResource(touch, record.recipientAccountId ?? '', resources);
      if (owning) t.touched.add(`${owning.kind}:${owning.value}`);
      t.times.push(timeOf(record));
      t.eventTimes.set(key, timeOf(record));
    }
  });
  const all = [...tenants.values()].flatMap((t) => t.times);
  const bucket = bucketFor(Math.max(...all) - Math.min(...all));
  return {
    denied,
    tenants: [...tenants]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([tenantId, t]) => ({
        tenantId,
        events: t.events.size,
        resources: t.buckets.size,
        objects: t.objects.size,
        firstAccess: new Date(Math.min(...t.times)).toISOString(),
        lastAccess: new Date(Math.max(...t.times)).toISOString(),
        actions: [...t.actions].sort(),
        sampleObjects: [...t.objects].sort().slice(0, 20),
        touchedResources: [...t.touched].sort(),
        subjects: null,
        activity: { bucket, counts: countsPer(bucket, [...t.eventTimes.values()]) },
      })),
  };
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function bucketFor(spanMs: number): 'hour' | 'day' | 'week' {
  return spanMs <= 3 * DAY ? 'hour' : spanMs <= 180 * DAY ? 'day' : 'week';
}

/** Distinct events per bucket start (UTC; weeks from Monday), oldest first. */
function countsPer(bucket: 'hour' | 'day' | 'week', times: number[]) {
  const startOf = (ms: number) => {
    if (bucket === 'hour') return ms - (ms % HOUR);
    const day = ms - (ms % DAY);
    // 1970-01-01 was a Thursday: Monday is three days earlier in the cycle.
    return bucket === 'day' ? day : day - ((Math.floor(day / DAY) + 3) % 7) * DAY;
  };
  const counts = new Map<number, number>();
  for (const t of times) counts.set(startOf(t), (counts.get(startOf(t)) ?? 0) + 1);
  return [...counts]
    .sort(([a], [b]) => a - b)
    .map(([at, events]) => ({ at: new Date(at).toISOString(), events }));
}

function scope(paths: string[], indicators: Partial<ScopeIndicators>, resources: TenantResource[]) {
  return runScope({
    paths,
    format: 'cloudtrail',
    indicators: { principals: [], sourceIps: [], from: null, to: null, ...indicators },
    resources,
  });
}

// When the folder is absent the suite is skipped under a name that says why.
const SUITE = present
  ? 'real CloudTrail files'
  : '../shared/data/public not found: real-data tests skipped';

describe.skipIf(!present)(SUITE, () => {
  it('finds the stolen role reading the victim bucket (OTRF, @timestamp only)', async () => {
    const role = 'arn:aws:iam::123456789123:role/MordorNginxStack-BankingWAFRole-9S3E0UAE1MM0';
    const resources: TenantResource[] = [
      { tenantId: 'victim', kind: 'bucket', value: 'mordors3stack-s3bucket-llp2yingx64a' },
    ];
    const records = readRecords(fileOf(OTRF));
    const byRole = (r: TrailRecord) => r.userIdentity?.sessionContext?.sessionIssuer?.arn === role;

    const result = await scope([OTRF], { principals: [role] }, resources);

    expect(result.eventsScanned).toBe(records.length);
    expect(result.eventsMatched).toBe(records.filter(byRole).length);
    // The reference must itself find the exfiltration, or the comparison proves nothing.
    expect(result.tenants).toEqual(expectedScope(records, byRole, resources).tenants);
    expect(result.tenants[0]?.sampleObjects).toEqual([
      'mordors3stack-s3bucket-llp2yingx64a/ring.txt',
    ]);
  });

  it('agrees with a plain reading of the Panther S3 samples', async () => {
    const resources: TenantResource[] = [
      { tenantId: 'acme', kind: 'aws_account', value: '123456789012' },
      { tenantId: 'example', kind: 'bucket', value: 'example-bucket' },
      { tenantId: 'prod', kind: 'bucket_prefix', value: 'sample-bucket-hungry-buck/documents/' },
      { tenantId: 'victim', kind: 'bucket', value: 'sample-bucket-quizzical-yalow' },
    ];
    const alice = 'arn:aws:iam::123456789012:user/Alice';
    const records = readRecords(PANTHER);
    const matches = (r: TrailRecord) =>
      r.userIdentity?.arn === alice ||
      ['10.0.0.1', '1.2.3.4'].includes(r.sourceIPAddress ?? '') ||
      String(r.sourceIPAddress).startsWith('203.0.113.');
    const expected = expectedScope(records, matches, resources);

    const result = await scope(
      [PANTHER],
      { principals: [alice], sourceIps: ['10.0.0.1', '1.2.3.4', '203.0.113.0/24'] },
      resources,
    );

    expect(expected.tenants.map((t) => t.tenantId)).toEqual(['acme', 'example', 'prod', 'victim']);
    expect(result.eventsDenied).toBe(expected.denied);
    expect(result.tenants).toEqual(expected.tenants);
  });

  it('unwraps lookup-events records (plaso) and maps no management call', async () => {
    const records = readRecords(PLASO);
    const byUser = (r: TrailRecord) => r.userIdentity?.userName === 'fakeusername';

    const result = await scope([PLASO], { principals: ['fakeusername'] }, []);

    expect(result.eventsMatched).toBe(records.filter(byUser).length);
    expect(result.tenants).toEqual([]);
  });

  it('reads all three shapes in one run', async () => {
    const total = [fileOf(OTRF), PANTHER, PLASO].reduce((n, f) => n + readRecords(f).length, 0);

    const result = await scope([OTRF, PANTHER, PLASO], { sourceIps: ['0.0.0.0/0', '::/0'] }, []);

    expect(result.files).toHaveLength(3);
    expect(result.eventsScanned).toBe(total);
  });
});
