/**
 * The job on real public files kept beside the repository in ../shared/data/public. Every
 * expected count is computed here, independently, from the files themselves.
 */
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { cliActor } from '../../src/auth/actor.ts';
import { ingestRecords } from '../../src/intake/ingest.ts';
import { readRecords } from '../../src/intake/records.ts';
import { adapterFor } from '../../src/intake/registry.ts';
import { openInvestigation } from '../support/factories.ts';
import { scopeInvestigation } from '../../src/scoping/run.ts';
import { latestAffectedTenants } from '../../src/scoping/results.ts';
import type { Store } from '../../src/store/db.ts';
import { importTenants } from '../../src/tenants/import.ts';
import { describeEachBackend } from '../support/backends.ts';
import { PUBLIC_DATA } from '../support/public-data.ts';

const PUBLIC = PUBLIC_DATA;
const present = existsSync(PUBLIC);
if (!present && process.env.BREACHDESK_QUIET_SKIP === undefined) {
  process.stderr.write(`${PUBLIC} not found: real-data tests skipped\n`);
}

const EVE = `${PUBLIC}/suricata-eve-docker-pr/eve.json`;
const WAZUH = `${PUBLIC}/wazuh-alerts/alerts.json`;
const OTRF = `${PUBLIC}/otrf-aws-cloudtrail-s3-exfil/ec2_proxy_s3_exfiltration_2020-09-14011940.json`;
const PANTHER = `${PUBLIC}/panther-analysis-test-logs/aws_cloudtrail_s3_events.ndjson`;
const PLASO = `${PUBLIC}/plaso-cloud-audit-logs/aws_cloudtrail.jsonl`;
const STOLEN_ROLE =
  'arn:aws:sts::123456789123:assumed-role/MordorNginxStack-BankingWAFRole-9S3E0UAE1MM0/' +
  'i-0317f6c6b66ae9c40';
const WINDOW_MS = 24 * 3_600_000;
// Parsed sample records: the tests read fields by name, as a person checking the file would.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

function lines(path: string): Json[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Json);
}

/** How many investigations a stream of (key, time) opens under a ±24 h window. */
function countOpened(events: { key: string; at: number }[]): number {
  const open = new Map<string, { first: number; last: number }[]>();
  let opened = 0;
  for (const { key, at } of events) {
    const list = open.get(key) ?? [];
    const hit = list.find((i) => i.last >= at - WINDOW_MS && i.first <= at + WINDOW_MS);
    if (hit) {
      hit.first = Math.min(hit.first, at);
      hit.last = Math.max(hit.last, at);
    } else {
      list.push({ first: at, last: at });
      opened += 1;
    }
    open.set(key, list);
  }
  return opened;
}

// CloudTrail records of all three shapes, unwrapped by hand.
function cloudTrailRecords(): Json[] {
  const plaso = lines(PLASO).map((l) => JSON.parse(l.CloudTrailEvent as string) as Json);
  return [...lines(OTRF), ...lines(PANTHER), ...plaso];
}

const DATA_ACTIONS = new Set([
  'GetObject',
  'HeadObject',
  'ListObjects',
  'ListObjectsV2',
  'ListBucket',
  'PutObject',
  'CopyObject',
  'DeleteObject',
  'DeleteObjects',
]);
const BUCKET_TENANT: Record<string, string> = {
  'mordors3stack-s3bucket-llp2yingx64a': 'mordor-bank',
  'example-bucket': 'example-corp',
  'sensitive-data-bucket': 'sensitive-co',
};

function inTenNet(ip: unknown): boolean {
  return typeof ip === 'string' && /^10\.0\.0\.\d{1,3}$/.test(ip);
}

describeEachBackend(
  `real public files${present ? '' : ' (skipped: ../shared absent)'}`,
  (backend) => {
    let store: Store;

    beforeAll(async () => {
      store = await backend.open();
    });
    afterAll(() => store.close());

    it.skipIf(!present)(
      'ingests the Suricata EVE stream: alerts taken, other types skipped',
      async () => {
        const records = lines(EVE);
        const alerts = records.filter((r) => r.event_type === 'alert');
        const opened = countOpened(
          alerts.map((a) => ({
            key: [a.alert.signature_id, a.src_ip, a.dest_ip, a.proto].join('|'),
            at: Date.parse(String(a.timestamp).replace(/([+-]\d{2})(\d{2})$/, '$1:$2')),
          })),
        );

        const summary = await ingestRecords(store.db, adapterFor('suricata'), readRecords(EVE), {
          actor: cliActor('admin'),
        });
        expect(summary).toMatchObject({
          accepted: opened,
          duplicates: alerts.length - opened,
          skipped: records.length - alerts.length,
          rejected: 0,
        });
      },
    );

    it.skipIf(!present)(
      'ingests every Wazuh alert, de-duplicated by rule, agent, source and user',
      async () => {
        const records = lines(WAZUH);
        const opened = countOpened(
          records.map((a) => ({
            key: [a.rule.id, a.agent?.id, a.data?.srcip, a.data?.dstuser ?? a.data?.srcuser].join(
              '|',
            ),
            at: Date.parse(String(a.timestamp).replace(/([+-]\d{2})(\d{2})$/, '$1:$2')),
          })),
        );

        const summary = await ingestRecords(store.db, adapterFor('wazuh'), readRecords(WAZUH), {
          actor: cliActor('admin'),
        });
        expect(summary).toMatchObject({
          accepted: opened,
          duplicates: records.length - opened,
          skipped: 0,
          rejected: 0,
        });
      },
    );

    it.skipIf(!present)(
      'scopes the three CloudTrail shapes to the tenants that own the buckets',
      async () => {
        const tenants = Object.entries(BUCKET_TENANT).map(([bucket, id]) => ({
          id,
          name: id,
          resources: [{ kind: 'bucket', value: bucket }],
          breachContacts: [{ name: 'DPO', email: `dpo@${id}.example` }],
        }));
        // Owns the account that received the sensitive-data-bucket events: the bucket must win.
        tenants.push({
          id: 'account-owner',
          name: 'account-owner',
          resources: [{ kind: 'aws_account', value: '012345678901' }],
          breachContacts: [{ name: 'DPO', email: 'dpo@account-owner.example' }],
        });
        await importTenants(store.db, { tenants }, cliActor('admin'));

        const all = cloudTrailRecords();
        const hits = all.filter(
          (r) =>
            (r.userIdentity?.arn === STOLEN_ROLE || inTenNet(r.sourceIPAddress)) &&
            r.eventSource === 's3.amazonaws.com' &&
            DATA_ACTIONS.has(r.eventName) &&
            !r.errorCode,
        );
        const want: Record<string, { events: number; objects: Set<string> }> = {};
        for (const r of hits) {
          const bucket = r.requestParameters?.bucketName as string;
          const tenant = BUCKET_TENANT[bucket] ?? '?';
          want[tenant] ??= { events: 0, objects: new Set() };
          want[tenant].events += 1;
          if (r.requestParameters?.key)
            want[tenant].objects.add(`${bucket}/${r.requestParameters.key}`);
        }

        const id = await openInvestigation(store.db);
        const { result } = await scopeInvestigation(store.db, cliActor('responder'), id, {
          paths: [OTRF, PANTHER, PLASO],
          format: 'cloudtrail',
          indicators: {
            principals: [STOLEN_ROLE],
            sourceIps: ['10.0.0.0/24'],
            from: null,
            to: null,
          },
        });
        const stored = await latestAffectedTenants(store.db, id);

        expect(result.eventsScanned).toBe(all.length);
        expect(stored.tenants.map((t) => [t.tenantId, t.events, t.objects])).toEqual(
          Object.entries(want)
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([t, w]) => [t, w.events, w.objects.size]),
        );
      },
    );
  },
);
