import type { DuckDBAppender, DuckDBConnection } from '@duckdb/node-api';
import { DuckDBInstance, LIST, VARCHAR, listValue } from '@duckdb/node-api';

import { BreachdeskError, fail } from '../domain/errors.ts';
import { cloudtrailAdapter } from './cloudtrail.ts';
import type { Compression } from './files.ts';
import { detectCompression, expandPaths } from './files.ts';
import { parseIndicators, sourceIpMatcher } from './indicators.ts';
import { ndjsonAccessAdapter } from './ndjson-access.ts';
import type {
  ActivityBucket,
  ScopeActivity,
  LogAdapter,
  ScopeFormat,
  ScopeIndicators,
  ScopeResult,
  TenantResource,
  TenantScope,
} from './types.ts';
import { SCOPE_FORMATS, TENANT_RESOURCE_KINDS } from './types.ts';

/** Options of one scoping run. */
export interface ScopeOptions {
  paths: string[];
  format: ScopeFormat;
  indicators: ScopeIndicators;
  resources: TenantResource[];
}

const ADAPTERS: Record<ScopeFormat, LogAdapter> = {
  cloudtrail: cloudtrailAdapter,
  ndjson: ndjsonAccessAdapter,
};

// A CloudTrail delivery file is one JSON object; DuckDB's 16 MiB default refuses big ones.
// A larger object is refused with BD_SCOPE_UNREADABLE rather than read in part.
const MAX_OBJECT_BYTES = 512 * 1024 * 1024;
const SAMPLE_OBJECTS = 20;

/** The typed table of matched events, filled from the adapter's columns (LogAdapter). */
const CREATE_MATCHED = `
  CREATE TABLE matched (
    event_key VARCHAR NOT NULL,
    event_time TIMESTAMPTZ,
    action VARCHAR,
    source_ip VARCHAR,
    account_id VARCHAR,
    data_access BOOLEAN NOT NULL,
    failed BOOLEAN NOT NULL,
    subject VARCHAR,
    touches STRUCT(bucket VARCHAR, path VARCHAR, is_object BOOLEAN)[]
  )`;

// Matching events whose time cannot be read are kept here only to be counted: they cannot
// be placed in the window, nor give a first or last access.
const CREATE_MATCHED_RECORDS = `
  CREATE TABLE matched_records AS
  SELECT * FROM log_events
  WHERE (list_has_any(principal_keys, $principals)
      OR source_ip IN (SELECT unnest($ips)))
    AND (event_time IS NULL OR (
      ($from::TIMESTAMPTZ IS NULL OR event_time >= $from::TIMESTAMPTZ)
      AND ($to::TIMESTAMPTZ IS NULL OR event_time <= $to::TIMESTAMPTZ)))`;

// Rows without an event id get a unique key, so that only true repeats collapse. Numbering
// runs here, on the few matched rows: a window over the whole scan would cost a second pass.
const KEYED_RECORDS = `(
  SELECT *, coalesce(event_id, 'row:' || row_number() OVER ()) AS event_key
  FROM matched_records
  WHERE event_time IS NOT NULL
)`;

const CREATE_TENANT_RESOURCES = `
  CREATE TABLE tenant_resources (
    tenant_id VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    bucket VARCHAR,
    prefix VARCHAR,
    account_id VARCHAR,
    resource VARCHAR NOT NULL
  )`;

// One row per resource an accepted data access touched; an event naming none still gets one
// row, so that it can be attributed through its account.
const CREATE_TOUCHES = `
  CREATE TABLE touches AS
  SELECT row_number() OVER () AS touch_id, m.event_key, m.event_time, m.action,
    m.account_id, m.subject, t.touch.bucket AS bucket, t.touch.path AS path,
    coalesce(t.touch.is_object, false) AS is_object
  FROM matched m,
    unnest(CASE WHEN coalesce(len(m.touches), 0) = 0 THEN [NULL] ELSE m.touches END)
      AS t(touch)
  WHERE m.data_access AND NOT m.failed`;

// Most specific owner wins: longest bucket prefix, then bucket, then account. Owners tied at
// the same specificity all get the touch, because over-notifying beats missing a tenant.
const CREATE_MAPPED = `
  CREATE TABLE mapped AS
  WITH candidates AS (
    SELECT t.touch_id, r.tenant_id, r.resource, 3 AS specificity,
      length(r.prefix) AS prefix_length
    FROM touches t JOIN tenant_resources r
      ON r.kind = 'bucket_prefix' AND r.bucket = t.bucket AND starts_with(t.path, r.prefix)
    UNION ALL
    SELECT t.touch_id, r.tenant_id, r.resource, 2, 0
    FROM touches t JOIN tenant_resources r ON r.kind = 'bucket' AND r.bucket = t.bucket
    UNION ALL
    SELECT t.touch_id, r.tenant_id, r.resource, 1, 0
    FROM touches t JOIN tenant_resources r
      ON r.kind = 'aws_account' AND r.account_id = t.account_id
  ),
  best AS (
    SELECT touch_id, tenant_id, resource FROM candidates
    QUALIFY rank() OVER (
      PARTITION BY touch_id ORDER BY specificity DESC, prefix_length DESC) = 1
  )
  SELECT t.*, b.tenant_id, b.resource FROM touches t LEFT JOIN best b USING (touch_id)`;

const MATCH_TOTALS = `
  SELECT count(DISTINCT event_key) AS matched,
    count(DISTINCT event_key) FILTER (WHERE data_access AND failed) AS denied,
    (SELECT count(*) FROM matched_records WHERE event_time IS NULL) AS untimed
  FROM matched`;

const TENANT_SCOPES = `
  SELECT tenant_id,
    count(DISTINCT event_key) AS events,
    count(DISTINCT coalesce(bucket, 'account:' || account_id)) AS resources,
    count(DISTINCT CASE WHEN is_object THEN bucket || '/' || path END) AS objects,
    epoch_ms(min(event_time)) AS first_ms,
    epoch_ms(max(event_time)) AS last_ms,
    list_sort(list_distinct(list(action))) AS actions,
    list_sort(list_distinct(list(CASE WHEN is_object THEN bucket || '/' || path END)))
      [1:${SAMPLE_OBJECTS}] AS sample_objects,
    list_sort(list_distinct(list(resource))) AS touched_resources,
    -- A log that names no subject at all says nothing about how many there are.
    CASE WHEN count(subject) = 0 THEN NULL ELSE count(DISTINCT subject) END AS subjects
  FROM mapped
  WHERE tenant_id IS NOT NULL
  GROUP BY tenant_id
  ORDER BY tenant_id`;

// The span of all attributed events decides one bucket width for every tenant of the run.
const ATTRIBUTED_SPAN = `
  SELECT epoch_ms(max(event_time)) - epoch_ms(min(event_time)) AS span_ms
  FROM mapped WHERE tenant_id IS NOT NULL`;

const activitySql = (bucket: ActivityBucket) => `
  SELECT tenant_id, epoch_ms(date_trunc('${bucket}', event_time)) AS at_ms,
    count(DISTINCT event_key) AS events
  FROM mapped
  WHERE tenant_id IS NOT NULL
  GROUP BY ALL
  ORDER BY tenant_id, at_ms`;

const UNMAPPED = `
  SELECT count(DISTINCT event_key) AS events,
    list_sort(list_distinct(list(coalesce(bucket, 'account:' || account_id, '(unknown)'))))
      AS resources
  FROM mapped
  WHERE tenant_id IS NULL`;

/**
 * Reads the access logs where they lie and reports, per tenant, what the events matching the
 * indicators touched. One in-memory DuckDB per call, closed before returning. Filtering,
 * tenant mapping and grouping run in SQL; only source-IP matching runs in JS, on the distinct
 * addresses, since the inet extension is not available. Fails with BD_SCOPE_INVALID,
 * BD_SCOPE_NO_FILES, or BD_SCOPE_UNREADABLE for a file that is not valid JSON.
 */
export async function runScope(opts: ScopeOptions): Promise<ScopeResult> {
  if (!SCOPE_FORMATS.includes(opts.format)) {
    fail('BD_SCOPE_INVALID', `format must be one of ${SCOPE_FORMATS.join(', ')}`, 'format');
  }
  const adapter = ADAPTERS[opts.format];
  const indicators = parseIndicators(opts.indicators);
  const resources = parseTenantResources(opts.resources);
  const files = await expandPaths(opts.paths);
  const source = await sourceSql(files);

  const instance = await DuckDBInstance.create(':memory:');
  try {
    const db = await instance.connect();
    return await scopeWith(db, { adapter, indicators, resources, files, source });
  } catch (error) {
    throw asScopeError(error);
  } finally {
    instance.closeSync();
  }
}

/** Everything a run needs once its inputs are validated and its files found. */
interface ScopePlan {
  adapter: LogAdapter;
  indicators: ScopeIndicators;
  resources: TenantResource[];
  files: string[];
  source: string;
}

async function scopeWith(db: DuckDBConnection, plan: ScopePlan): Promise<ScopeResult> {
  const { adapter, indicators, resources, files, source } = plan;
  try {
    // Zone-less log times are UTC (CloudTrail writes UTC); the host's zone must not leak in.
    await db.run(`SET TimeZone = 'UTC'`);
    await db.run(`CREATE VIEW log_events AS ${adapter.eventsSql(source)}`);

    const { scanned, matchingIps } = await scanSourceIps(db, indicators);
    await selectMatched(db, adapter, indicators, matchingIps);
    await loadTenantResources(db, resources);
    await db.run(CREATE_TOUCHES);
    await db.run(CREATE_MAPPED);

    const totals = await firstRow(db, MATCH_TOTALS);
    const unmapped = await firstRow(db, UNMAPPED);
    return {
      files,
      eventsScanned: scanned,
      eventsMatched: toNumber(totals.matched),
      eventsDenied: toNumber(totals.denied),
      eventsUntimed: toNumber(totals.untimed),
      unmapped: { events: toNumber(unmapped.events), resources: strings(unmapped.resources) },
      tenants: await tenantScopes(db, adapter.hasSubjects),
    };
  } finally {
    db.closeSync();
  }
}

/**
 * Validates tenant resources: a known kind, a non-empty tenant id and value, and a
 * `bucket_prefix` value shaped 'bucket/prefix'. Exact duplicates are dropped.
 */
export function parseTenantResources(input: unknown): TenantResource[] {
  if (!Array.isArray(input)) fail('BD_SCOPE_INVALID', 'resources must be a list', 'resources');

  const unique = new Map<string, TenantResource>();
  input.forEach((item: unknown, i) => {
    const field = `resources[${i}]`;
    const r = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
    if (typeof r.tenantId !== 'string' || r.tenantId.trim() === '') {
      fail('BD_SCOPE_INVALID', `${field}.tenantId must be a non-empty string`, `${field}.tenantId`);
    }

    const kind = TENANT_RESOURCE_KINDS.find((k) => k === r.kind);
    if (kind === undefined) {
      const accepted = TENANT_RESOURCE_KINDS.join(', ');
      fail('BD_SCOPE_INVALID', `${field}.kind must be one of ${accepted}`, `${field}.kind`);
    }

    const value = typeof r.value === 'string' ? r.value.trim() : '';
    const shapeOk = kind === 'bucket_prefix' ? /^[^/]+\/.+$/.test(value) : value !== '';
    if (!shapeOk || /\s/.test(value)) {
      const shape = kind === 'bucket_prefix' ? "'bucket/prefix'" : 'a value without spaces';
      fail('BD_SCOPE_INVALID', `${field}.value must be ${shape}`, `${field}.value`);
    }

    const resource = { tenantId: r.tenantId, kind, value };
    unique.set(JSON.stringify(resource), resource);
  });
  return [...unique.values()];
}

/** One read_json_objects per compression, since DuckDB judges it by the file name alone. */
async function sourceSql(files: readonly string[]): Promise<string> {
  const groups = new Map<Compression, string[]>();
  for (const file of files) {
    const compression = await detectCompression(file);
    groups.set(compression, [...(groups.get(compression) ?? []), file]);
  }

  const reads = [...groups].map(([compression, group]) => {
    const list = group.map(sqlString).join(', ');
    const codec = compression === 'none' ? 'uncompressed' : compression;
    return `SELECT json AS obj FROM read_json_objects([${list}], format = 'auto',
      compression = '${codec}', maximum_object_size = ${MAX_OBJECT_BYTES})`;
  });
  return `(${reads.join(' UNION ALL ')})`;
}

/** Pass 1: count every record, and match the distinct source addresses in JS. */
async function scanSourceIps(db: DuckDBConnection, indicators: ScopeIndicators) {
  if (indicators.sourceIps.length === 0) {
    const row = await firstRow(db, 'SELECT count(*) AS n FROM log_events');
    return { scanned: toNumber(row.n), matchingIps: [] };
  }

  const reader = await db.runAndReadAll(
    'SELECT source_ip, count(*) AS n FROM log_events GROUP BY source_ip',
  );
  const matches = sourceIpMatcher(indicators.sourceIps);
  let scanned = 0;
  const matchingIps: string[] = [];
  for (const row of reader.getRowObjectsJS()) {
    scanned += toNumber(row.n);
    if (typeof row.source_ip === 'string' && matches(row.source_ip)) {
      matchingIps.push(row.source_ip);
    }
  }
  return { scanned, matchingIps };
}

/** Pass 2: keep the events matching any indicator inside the inclusive time window. */
async function selectMatched(
  db: DuckDBConnection,
  adapter: LogAdapter,
  indicators: ScopeIndicators,
  matchingIps: string[],
): Promise<void> {
  await db.run(CREATE_MATCHED);

  // Principals compare case-insensitively: IAM names are unique regardless of case.
  await db.run(
    CREATE_MATCHED_RECORDS,
    {
      principals: listValue(indicators.principals.map((p) => p.toLowerCase())),
      ips: listValue(matchingIps),
      from: indicators.from,
      to: indicators.to,
    },
    { principals: LIST(VARCHAR), ips: LIST(VARCHAR), from: VARCHAR, to: VARCHAR },
  );

  await db.run(`
    INSERT INTO matched
    SELECT event_key, event_time, action, source_ip, account_id, data_access, failed,
      subject, touches
    FROM (${adapter.withTouchesSql(KEYED_RECORDS)})`);
}

async function loadTenantResources(
  db: DuckDBConnection,
  resources: TenantResource[],
): Promise<void> {
  await db.run(CREATE_TENANT_RESOURCES);

  const appender = await db.createAppender('tenant_resources');
  for (const r of resources) {
    const slash = r.value.indexOf('/');
    const bucket = slash === -1 ? r.value : r.value.slice(0, slash);
    appender.appendVarchar(r.tenantId);
    appender.appendVarchar(r.kind);
    appendNullable(appender, r.kind === 'aws_account' ? null : bucket);
    appendNullable(appender, r.kind === 'bucket_prefix' ? r.value.slice(slash + 1) : null);
    appendNullable(appender, r.kind === 'aws_account' ? r.value : null);
    appender.appendVarchar(`${r.kind}:${r.value}`);
    appender.endRow();
  }
  appender.closeSync();
}

/** The bucket width for events spread over `spanMs` (see ScopeActivity). */
export function activityBucketFor(spanMs: number): ActivityBucket {
  const day = 24 * 3_600_000;
  if (spanMs <= 3 * day) return 'hour';
  return spanMs <= 180 * day ? 'day' : 'week';
}

async function activityByTenant(db: DuckDBConnection): Promise<Map<string, ScopeActivity>> {
  const bucket = activityBucketFor(toNumber((await firstRow(db, ATTRIBUTED_SPAN)).span_ms));
  const reader = await db.runAndReadAll(activitySql(bucket));

  const byTenant = new Map<string, ScopeActivity>();
  for (const row of reader.getRowObjectsJS()) {
    const tenantId = typeof row.tenant_id === 'string' ? row.tenant_id : '';
    const activity = byTenant.get(tenantId) ?? { bucket, counts: [] };
    activity.counts.push({ at: isoFromMs(row.at_ms), events: toNumber(row.events) });
    byTenant.set(tenantId, activity);
  }
  return byTenant;
}

async function tenantScopes(db: DuckDBConnection, hasSubjects: boolean): Promise<TenantScope[]> {
  const reader = await db.runAndReadAll(TENANT_SCOPES);
  const activity = await activityByTenant(db);

  return reader.getRowObjectsJS().map((row) => ({
    tenantId: typeof row.tenant_id === 'string' ? row.tenant_id : '',
    events: toNumber(row.events),
    resources: toNumber(row.resources),
    objects: toNumber(row.objects),
    firstAccess: isoFromMs(row.first_ms),
    lastAccess: isoFromMs(row.last_ms),
    actions: strings(row.actions),
    sampleObjects: strings(row.sample_objects),
    touchedResources: strings(row.touched_resources),
    subjects: hasSubjects && row.subjects !== null ? toNumber(row.subjects) : null,
    activity: activity.get(typeof row.tenant_id === 'string' ? row.tenant_id : '') ?? {
      bucket: 'hour',
      counts: [],
    },
  }));
}

async function firstRow(db: DuckDBConnection, sql: string): Promise<Record<string, unknown>> {
  const reader = await db.runAndReadAll(sql);
  return reader.getRowObjectsJS()[0] ?? {};
}

function appendNullable(appender: DuckDBAppender, value: string | null): void {
  if (value === null) appender.appendNull();
  else appender.appendVarchar(value);
}

// DuckDB hands BIGINT back as bigint; counts and epoch milliseconds fit a double exactly.
function toNumber(value: unknown): number {
  return typeof value === 'bigint' || typeof value === 'number' ? Number(value) : 0;
}

function isoFromMs(value: unknown): string {
  return value === null || value === undefined ? '' : new Date(toNumber(value)).toISOString();
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** DuckDB's reader errors name the file; they become a typed, explainable failure. */
function asScopeError(error: unknown): unknown {
  if (error instanceof BreachdeskError || !(error instanceof Error)) return error;
  if (!/Malformed JSON|maximum_object_size|decompress|gzip|zstd/i.test(error.message)) {
    return error;
  }
  const detail = error.message.split('\n')[0] ?? '';
  return new BreachdeskError('BD_SCOPE_UNREADABLE', `cannot read a log file: ${detail}`, 'paths');
}
