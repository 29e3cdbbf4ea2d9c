/**
 * The vocabulary of scoping (DESIGN.md §1.5): what the responder knows about the attacker,
 * which resources belong to which tenant, and what the attacker touched per tenant.
 * Pure types and constants only.
 */

/** What the responder knows about the attacker. Events matching any indicator are in scope. */
export interface ScopeIndicators {
  /** ARNs, principal ids, user names or access key ids (CloudTrail); `principal` (NDJSON). */
  principals: string[];
  /** Single IPs or CIDR ranges, IPv4 or IPv6, in canonical form once validated. */
  sourceIps: string[];
  /** Inclusive lower bound, UTC ISO 8601 with a trailing Z once validated; null = open. */
  from: string | null;
  /** Inclusive upper bound, UTC ISO 8601 with a trailing Z once validated; null = open. */
  to: string | null;
}

export const TENANT_RESOURCE_KINDS = ['aws_account', 'bucket', 'bucket_prefix'] as const;
export type TenantResourceKind = (typeof TENANT_RESOURCE_KINDS)[number];

/** One resource a tenant owns. A `bucket_prefix` value is 'bucket/prefix'. */
export interface TenantResource {
  tenantId: string;
  kind: TenantResourceKind;
  value: string;
}

/** What the matched events touched inside one tenant's resources. */
export interface TenantScope {
  tenantId: string;
  /** Distinct successful data-access events attributed to the tenant. */
  events: number;
  /** Distinct buckets, or accounts when an event names no bucket. */
  resources: number;
  /** Distinct 'bucket/key' objects. */
  objects: number;
  /** Earliest and latest event time, UTC ISO 8601 with a trailing Z. */
  firstAccess: string;
  lastAccess: string;
  /** Distinct action names, sorted. */
  actions: string[];
  /** Up to 20 'bucket/key' objects, sorted. */
  sampleObjects: string[];
  /** The tenant's own resources ('kind:value') that the events were attributed to, sorted. */
  touchedResources: string[];
  /** Distinct data subjects; null when the log format does not name them (CloudTrail). */
  subjects: number | null;
  /** Distinct events per UTC time bucket, for "records per tenant over time". */
  activity: ScopeActivity;
}

/**
 * Events over time. One bucket width per run (the same for every tenant, so they compare):
 * an hour when all attributed events fall within three days, a day within 180 days, a week
 * (from Monday 00:00 UTC) beyond. Only buckets with events are listed, oldest first.
 */
export interface ScopeActivity {
  bucket: ActivityBucket;
  counts: { at: string; events: number }[];
}

export const ACTIVITY_BUCKETS = ['hour', 'day', 'week'] as const;
export type ActivityBucket = (typeof ACTIVITY_BUCKETS)[number];

/** The outcome of one scoping run. */
export interface ScopeResult {
  /** Absolute paths of the files read, sorted. */
  files: string[];
  /** Records read from the files, before any filtering. */
  eventsScanned: number;
  /** Distinct events matching the indicators and the time window, of any kind. */
  eventsMatched: number;
  /** Matched data-access events that failed (e.g. AccessDenied); attributed to no tenant. */
  eventsDenied: number;
  /** Records matching the indicators whose time cannot be read; left out of everything else. */
  eventsUntimed: number;
  /** Matched, successful data-access events touching a resource no tenant owns. */
  unmapped: { events: number; resources: string[] };
  /** Sorted by tenantId. */
  tenants: TenantScope[];
}

export const SCOPE_FORMATS = ['cloudtrail', 'ndjson'] as const;
export type ScopeFormat = (typeof SCOPE_FORMATS)[number];

/**
 * How a log format becomes the engine's events. `eventsSql` is a SELECT over `source` (one
 * JSON column `obj` per top-level object read) yielding event_id, event_time, action,
 * source_ip, principal_keys (lower-cased), account_id, data_access, failed, subject and raw
 * (the record as JSON). `withTouchesSql` adds a `touches` list to the rows of `relation`; it
 * runs only on matched events, because extracting resources is the costly part of a scan.
 */
export interface LogAdapter {
  format: ScopeFormat;
  eventsSql(source: string): string;
  withTouchesSql(relation: string): string;
  /** Whether the format names data subjects, so that TenantScope.subjects is a count. */
  hasSubjects: boolean;
}
