import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { runScope } from '../../src/scoping/engine.ts';
import type {
  ScopeIndicators,
  ScopeResult,
  TenantResource,
  TenantScope,
} from '../../src/scoping/types.ts';

// Three tenants on one provider account. 'shared-data' is split by prefix, and charlie's
// prefix sits inside bravo's, so the longest prefix must win.
const TENANT_RESOURCES: TenantResource[] = [
  { tenantId: 'alpha', kind: 'aws_account', value: '111111111111' },
  { tenantId: 'bravo', kind: 'bucket_prefix', value: 'shared-data/bravo/' },
  { tenantId: 'bravo', kind: 'bucket', value: 'bravo-archive' },
  { tenantId: 'charlie', kind: 'bucket_prefix', value: 'shared-data/bravo/legal/' },
  { tenantId: 'charlie', kind: 'bucket', value: 'charlie-media' },
];

const MALLORY = 'arn:aws:iam::111111111111:user/mallory';
const BOB = 'arn:aws:iam::111111111111:user/bob';

const INDICATORS: ScopeIndicators = {
  principals: [MALLORY],
  sourceIps: ['203.0.113.0/24', '2001:db8:bad::/48'],
  from: '2024-03-01T00:00:00Z',
  to: '2024-03-02T00:00:00Z',
};

interface RecordSpec {
  id: string;
  time: string;
  name: string;
  arn?: string;
  ip?: string;
  account?: string;
  object?: string;
  source?: string;
  error?: string;
}

/** A CloudTrail record shaped like the ones S3 data events produce. */
function buildRecord(spec: RecordSpec): Record<string, unknown> {
  const arn = spec.arn ?? MALLORY;
  const [bucket = '', ...rest] = (spec.object ?? '').split('/');
  const key = rest.join('/');
  const resources =
    spec.object === undefined
      ? undefined
      : [
          { type: 'AWS::S3::Object', ARN: `arn:aws:s3:::${spec.object}` },
          { type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:::${bucket}`, accountId: '111111111111' },
        ];
  return {
    eventVersion: '1.09',
    userIdentity: {
      type: 'IAMUser',
      principalId: `AIDA${arn.length}`,
      arn,
      accountId: '111111111111',
      userName: arn.split('/').pop(),
    },
    eventTime: spec.time,
    eventSource: spec.source ?? 's3.amazonaws.com',
    eventName: spec.name,
    sourceIPAddress: spec.ip ?? '198.51.100.7',
    requestParameters: spec.object === undefined ? {} : { bucketName: bucket, key },
    ...(spec.error === undefined ? {} : { errorCode: spec.error, errorMessage: 'Access Denied' }),
    resources,
    eventID: spec.id,
    recipientAccountId: spec.account ?? '111111111111',
  };
}

const e1 = buildRecord({
  id: 'e1',
  time: '2024-03-01T01:00:00Z',
  name: 'GetObject',
  object: 'shared-data/bravo/customers.csv',
});

// The delivery file: attacker activity plus noise from others, gzip-compressed.
const TRAIL_RECORDS = [
  e1,
  buildRecord({
    id: 'e2',
    time: '2024-03-01T01:05:00Z',
    name: 'GetObject',
    object: 'shared-data/bravo/legal/contract.pdf',
  }),
  buildRecord({
    id: 'e3',
    time: '2024-03-01T00:30:00Z',
    name: 'GetObject',
    object: 'shared-data/public/readme.txt',
  }),
  {
    ...buildRecord({ id: 'e4', time: '2024-03-01T01:10:00Z', name: 'ListObjects' }),
    requestParameters: { bucketName: 'shared-data', prefix: 'bravo/', 'list-type': '2' },
    resources: [
      { type: 'AWS::S3::Object', ARNPrefix: 'arn:aws:s3:::shared-data/bravo/' },
      { type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::shared-data', accountId: '111111111111' },
    ],
  },
  buildRecord({
    id: 'e5',
    time: '2024-03-01T01:11:00Z',
    name: 'DescribeInstances',
    source: 'ec2.amazonaws.com',
  }),
  buildRecord({
    id: 'e6',
    time: '2024-03-01T02:00:00Z',
    name: 'GetObject',
    arn: BOB,
    ip: '203.0.113.50',
    object: 'bravo-archive/2023/q4.parquet',
  }),
  buildRecord({
    id: 'e7',
    time: '2024-03-01T02:30:00Z',
    name: 'GetObject',
    object: 'bravo-archive/secret.txt',
    error: 'AccessDenied',
  }),
  buildRecord({
    id: 'n1',
    time: '2024-03-01T03:00:00Z',
    name: 'GetObject',
    arn: BOB,
    ip: '198.51.100.20',
    object: 'shared-data/bravo/customers.csv',
  }),
  buildRecord({
    id: 'n2',
    time: '2024-02-28T23:59:59Z',
    name: 'GetObject',
    object: 'charlie-media/early.mp4',
  }),
  buildRecord({
    id: 'n3',
    time: '2024-03-02T00:00:01Z',
    name: 'GetObject',
    object: 'charlie-media/late.mp4',
  }),
];

// A hand-saved file, pretty-printed over many lines.
const PRETTY_RECORDS = [
  buildRecord({
    id: 'e8',
    time: '2024-03-01T04:00:00Z',
    name: 'HeadObject',
    arn: BOB,
    ip: '2001:db8:bad:1::5',
    object: 'charlie-media/video.mp4',
  }),
  buildRecord({
    id: 'e9',
    time: '2024-03-01T04:30:00Z',
    name: 'PutObject',
    account: '999999999999',
    object: 'orphan-bucket/dump.tar',
  }),
  buildRecord({
    id: 'e10',
    time: '2024-03-01T05:00:00Z',
    name: 'GetObject',
    object: 'shared-data/bravo/customers.csv',
  }),
  buildRecord({
    id: 'n4',
    time: '2024-03-01T05:10:00Z',
    name: 'GetObject',
    arn: BOB,
    ip: '203.0.114.1',
    object: 'charlie-media/n4.mp4',
  }),
  buildRecord({
    id: 'n5',
    time: '2024-03-01T05:20:00Z',
    name: 'GetObject',
    arn: BOB,
    ip: '2001:db8:beef::1',
    object: 'charlie-media/n5.mp4',
  }),
  buildRecord({
    id: 'n6',
    time: '2024-03-01T05:30:00Z',
    name: 'GetObject',
    arn: BOB,
    ip: 's3.amazonaws.com',
    object: 'charlie-media/n6.mp4',
  }),
];

// What a log pipeline ships: one record per line with its own fields, one without eventTime,
// and e1 again (the same record delivered twice must count once).
const e11 = buildRecord({
  id: 'e11',
  time: '',
  name: 'GetObject',
  object: 'shared-data/bravo/orders.csv',
});
delete e11.eventTime;
const PIPELINE_LINES = [
  { ...e11, '@timestamp': '2024-03-01T06:00:00.000Z', '@version': '1' },
  { ...e1, '@timestamp': '2024-03-01T01:00:02.000Z', '@version': '1' },
  {
    ...buildRecord({ id: 'e13', time: '2024-03-01T06:30:00Z', name: 'CopyObject' }),
    requestParameters: {
      bucketName: 'charlie-media',
      key: 'loot.csv',
      'x-amz-copy-source': 'shared-data/bravo/orders.csv',
    },
    resources: [
      { type: 'AWS::S3::Object', ARN: 'arn:aws:s3:::charlie-media/loot.csv' },
      { type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::charlie-media' },
      { type: 'AWS::S3::Object', ARN: 'arn:aws:s3:::shared-data/bravo/orders.csv' },
      { type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::shared-data' },
    ],
    p_event_time: '2024-03-01 06:30:00.000',
  },
  {
    ...buildRecord({
      id: 'n7',
      time: '2024-03-01T06:40:00Z',
      name: 'GetObject',
      object: 'charlie-media/ops.bin',
    }),
    userIdentity: {
      type: 'AssumedRole',
      principalId: 'AROAOPSROLE:ops-session',
      arn: 'arn:aws:sts::111111111111:assumed-role/ops/ops-session',
      accessKeyId: 'ASIAOPSKEY',
      sessionContext: {
        sessionIssuer: { type: 'Role', arn: 'arn:aws:iam::111111111111:role/ops', userName: 'ops' },
      },
    },
  },
];

// `aws cloudtrail lookup-events` output, one event per line, the record as a JSON string.
const LOOKUP_RECORDS = [
  buildRecord({
    id: 'e14',
    time: '2024-03-01T07:00:00Z',
    name: 'GetObject',
    object: 'charlie-media/photo.jpg',
  }),
  buildRecord({
    id: 'e15',
    time: '2024-03-01T07:30:00Z',
    name: 'DeleteObject',
    object: 'shared-data/public/old.txt',
  }),
];

function lookupLine(record: Record<string, unknown>): string {
  return JSON.stringify({
    EventId: record.eventID,
    EventName: record.eventName,
    EventTime: '2024-03-01 18:00:00+11:00',
    EventSource: record.eventSource,
    CloudTrailEvent: JSON.stringify(record),
  });
}

function tenant(result: ScopeResult, tenantId: string): TenantScope | undefined {
  return result.tenants.find((t) => t.tenantId === tenantId);
}

describe('scoping CloudTrail held in every shape at once', () => {
  let dir = '';
  let paths: string[] = [];
  let result: ScopeResult;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'bd-scope-ct-'));
    const trail = path.join(dir, 'trail/AWSLogs/111111111111/CloudTrail/us-east-1/2024/03/01');
    await mkdir(trail, { recursive: true });
    await mkdir(path.join(dir, 'saved'));
    await writeFile(
      path.join(trail, '111111111111_CloudTrail_us-east-1_20240301T0100Z_a.json.gz'),
      gzipSync(JSON.stringify({ Records: TRAIL_RECORDS })),
    );
    await writeFile(
      path.join(dir, 'saved/pretty.json'),
      JSON.stringify({ Records: PRETTY_RECORDS }, null, 2),
    );
    await writeFile(
      path.join(dir, 'pipeline.ndjson'),
      PIPELINE_LINES.map((l) => JSON.stringify(l)).join('\n') + '\n',
    );
    await writeFile(path.join(dir, 'lookup.jsonl'), LOOKUP_RECORDS.map(lookupLine).join('\n'));
    paths = [
      `${dir}/trail/**/*.json.gz`,
      `${dir}/saved/*.json`,
      `${dir}/pipeline.ndjson`,
      `${dir}/lookup.jsonl`,
    ];

    result = await runScope({
      paths,
      format: 'cloudtrail',
      indicators: INDICATORS,
      resources: TENANT_RESOURCES,
    });
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads all four files and every record in them', () => {
    expect(result.files).toHaveLength(4);
    expect(result.eventsScanned).toBe(TRAIL_RECORDS.length + PRETTY_RECORDS.length + 4 + 2);
  });

  it('counts matched events once, including management calls and failures', () => {
    // e1–e15 less the duplicate of e1 (e12 was never written).
    expect(result.eventsMatched).toBe(14);
    expect(result.eventsDenied).toBe(1);
  });

  it('reports data access on resources no tenant owns as unmapped', () => {
    expect(result.unmapped).toEqual({ events: 1, resources: ['orphan-bucket'] });
  });

  it('attributes objects outside every prefix to the account owner', () => {
    expect(tenant(result, 'alpha')).toEqual({
      tenantId: 'alpha',
      events: 2,
      resources: 1,
      objects: 2,
      firstAccess: '2024-03-01T00:30:00.000Z',
      lastAccess: '2024-03-01T07:30:00.000Z',
      actions: ['DeleteObject', 'GetObject'],
      sampleObjects: ['shared-data/public/old.txt', 'shared-data/public/readme.txt'],
      touchedResources: ['aws_account:111111111111'],
      subjects: null,
      // One event at 00:30, one at 07:30.
      activity: {
        bucket: 'hour',
        counts: [
          { at: '2024-03-01T00:00:00.000Z', events: 1 },
          { at: '2024-03-01T07:00:00.000Z', events: 1 },
        ],
      },
    });
  });

  it('attributes prefix, listing, CIDR and @timestamp-only events to bravo', () => {
    expect(tenant(result, 'bravo')).toEqual({
      tenantId: 'bravo',
      events: 6,
      resources: 2,
      objects: 3,
      firstAccess: '2024-03-01T01:00:00.000Z',
      lastAccess: '2024-03-01T06:30:00.000Z',
      actions: ['CopyObject', 'GetObject', 'ListObjects'],
      sampleObjects: [
        'bravo-archive/2023/q4.parquet',
        'shared-data/bravo/customers.csv',
        'shared-data/bravo/orders.csv',
      ],
      touchedResources: ['bucket:bravo-archive', 'bucket_prefix:shared-data/bravo/'],
      subjects: null,
      // e1 01:00 and the listing 01:10; 02:00; 05:00; e11 06:00 and e13's copy source 06:30.
      activity: {
        bucket: 'hour',
        counts: [
          { at: '2024-03-01T01:00:00.000Z', events: 2 },
          { at: '2024-03-01T02:00:00.000Z', events: 1 },
          { at: '2024-03-01T05:00:00.000Z', events: 1 },
          { at: '2024-03-01T06:00:00.000Z', events: 2 },
        ],
      },
    });
  });

  it('gives the longest prefix, IPv6 range and lookup-events records to charlie', () => {
    expect(tenant(result, 'charlie')).toEqual({
      tenantId: 'charlie',
      events: 4,
      resources: 2,
      objects: 4,
      firstAccess: '2024-03-01T01:05:00.000Z',
      lastAccess: '2024-03-01T07:00:00.000Z',
      actions: ['CopyObject', 'GetObject', 'HeadObject'],
      sampleObjects: [
        'charlie-media/loot.csv',
        'charlie-media/photo.jpg',
        'charlie-media/video.mp4',
        'shared-data/bravo/legal/contract.pdf',
      ],
      touchedResources: ['bucket:charlie-media', 'bucket_prefix:shared-data/bravo/legal/'],
      subjects: null,
      // The legal prefix at 01:05, video 04:00, e13's copy target 06:30, photo 07:00.
      activity: {
        bucket: 'hour',
        counts: [
          { at: '2024-03-01T01:00:00.000Z', events: 1 },
          { at: '2024-03-01T04:00:00.000Z', events: 1 },
          { at: '2024-03-01T06:00:00.000Z', events: 1 },
          { at: '2024-03-01T07:00:00.000Z', events: 1 },
        ],
      },
    });
  });

  it('lists only the three tenants, sorted', () => {
    expect(result.tenants.map((t) => t.tenantId)).toEqual(['alpha', 'bravo', 'charlie']);
  });

  it('matches a role indicator against the sessions of that role', async () => {
    const byRole = await runScope({
      paths,
      format: 'cloudtrail',
      indicators: {
        principals: ['arn:aws:iam::111111111111:role/ops'],
        sourceIps: [],
        from: null,
        to: null,
      },
      resources: TENANT_RESOURCES,
    });

    expect(byRole.eventsMatched).toBe(1);
    expect(byRole.tenants.map((t) => [t.tenantId, t.objects])).toEqual([['charlie', 1]]);
  });

  it('matches a stolen access key id', async () => {
    const byKey = await runScope({
      paths,
      format: 'cloudtrail',
      indicators: { principals: ['ASIAOPSKEY'], sourceIps: [], from: null, to: null },
      resources: TENANT_RESOURCES,
    });

    expect(byKey.tenants.map((t) => t.tenantId)).toEqual(['charlie']);
  });

  it('widens to the whole log when no window is given', async () => {
    const unbounded = await runScope({
      paths,
      format: 'cloudtrail',
      indicators: { ...INDICATORS, from: null, to: null },
      resources: TENANT_RESOURCES,
    });

    // n2 and n3 fall outside the window and are charlie's.
    expect(tenant(unbounded, 'charlie')?.events).toBe(6);
  });
});

describe('reading CloudTrail files whatever their names say', () => {
  it('reads a gzip file whose name has no .gz', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'bd-scope-gz-'));
    const file = path.join(dir, 'export.log');
    await writeFile(file, gzipSync(JSON.stringify({ Records: TRAIL_RECORDS.slice(0, 3) })));

    const result = await runScope({
      paths: [file],
      format: 'cloudtrail',
      indicators: INDICATORS,
      resources: TENANT_RESOURCES,
    });
    await rm(dir, { recursive: true, force: true });

    expect(result.tenants.map((t) => [t.tenantId, t.events])).toEqual([
      ['alpha', 1],
      ['bravo', 1],
      ['charlie', 1],
    ]);
  });

  it('reads a lookup-events document, a JSON array and an embedded CloudTrailEvent', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'bd-scope-doc-'));
    const [first, second, third] = TRAIL_RECORDS;
    await writeFile(
      path.join(dir, 'lookup.json'),
      JSON.stringify({ Events: [{ EventId: 'e1', CloudTrailEvent: JSON.stringify(first) }] }),
    );
    await writeFile(path.join(dir, 'array.json'), JSON.stringify([second]));
    await writeFile(path.join(dir, 'embedded.json'), JSON.stringify({ CloudTrailEvent: third }));

    const result = await runScope({
      paths: [`${dir}/*.json`],
      format: 'cloudtrail',
      indicators: INDICATORS,
      resources: TENANT_RESOURCES,
    });
    await rm(dir, { recursive: true, force: true });

    expect(result.tenants.map((t) => [t.tenantId, t.events])).toEqual([
      ['alpha', 1],
      ['bravo', 1],
      ['charlie', 1],
    ]);
  });

  it('refuses a truncated file with a typed error naming it', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'bd-scope-bad-'));
    const file = path.join(dir, 'broken.json');
    await writeFile(file, JSON.stringify({ Records: TRAIL_RECORDS }).slice(0, 500));

    const run = runScope({
      paths: [file],
      format: 'cloudtrail',
      indicators: INDICATORS,
      resources: TENANT_RESOURCES,
    });

    await expect(run).rejects.toMatchObject({ code: 'BD_SCOPE_UNREADABLE' });
    await expect(run).rejects.toThrow(/broken\.json/);
    await rm(dir, { recursive: true, force: true });
  });
});
