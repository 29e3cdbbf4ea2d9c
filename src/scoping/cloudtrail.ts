import type { LogAdapter } from './types.ts';

/**
 * The S3 object-level calls that count as touching customer data, by what they do.
 * Everything else (EC2 Describe*, IAM, STS, ListBuckets, bucket configuration, object ACL,
 * tagging, retention and legal-hold calls) is scanned and can match, but is not mapped to a
 * tenant: it reveals or changes settings, not the content of an object.
 */
export const S3_DATA_ACTIONS = {
  read: ['GetObject', 'HeadObject', 'GetObjectAttributes', 'SelectObjectContent'],
  // CloudTrail writes ListObjects for both list API versions; pipelines sometimes rename it
  // to the IAM action ListBucket.
  list: ['ListObjects', 'ListObjectsV2', 'ListObjectVersions', 'ListBucket'],
  write: [
    'PutObject',
    'CopyObject',
    'CreateMultipartUpload',
    'UploadPart',
    'UploadPartCopy',
    'CompleteMultipartUpload',
  ],
  delete: ['DeleteObject', 'DeleteObjects'],
} as const;

const DATA_ACTION_LIST = Object.values(S3_DATA_ACTIONS)
  .flat()
  .map((name) => `'${name}'`)
  .join(', ');

const S3_ARN = `'^arn:[^:]*:s3:::'`;
const ARN_BUCKET = `'^arn:[^:]*:s3:::([^/]*)'`;
const ARN_PATH = `'^arn:[^:]*:s3:::[^/]*/(.*)$'`;

/**
 * The three shapes CloudTrail is held in, reduced to one record per row:
 * `{"Records":[…]}` delivery files (and `{"Events":[…]}` from lookup-events), one record per
 * line from log pipelines, and lookup-events lines whose `CloudTrailEvent` is the record as a
 * JSON string. `outer_rec` keeps the wrapper for its `EventTime`.
 */
function recordsSql(source: string): string {
  return `
    SELECT outer_rec,
      CASE json_type(outer_rec, '$.CloudTrailEvent')
        WHEN 'VARCHAR' THEN
          CASE WHEN json_valid(outer_rec ->> 'CloudTrailEvent')
            THEN json(outer_rec ->> 'CloudTrailEvent') END
        WHEN 'OBJECT' THEN outer_rec -> 'CloudTrailEvent'
        ELSE outer_rec
      END AS rec
    FROM (
      SELECT unnest(CASE
        WHEN json_type(obj, '$.Records') = 'ARRAY' THEN json_extract(obj, '$.Records[*]')
        WHEN json_type(obj, '$.Events') = 'ARRAY' THEN json_extract(obj, '$.Events[*]')
        ELSE [obj]
      END) AS outer_rec
      FROM ${source}
    )`;
}

// Every spelling the responder may hold for the acting identity, lower-cased: the caller's
// ARN, principal id, the role's unique id (before ':' in an assumed-role principal id), user
// name, access key id, the role behind a session, and the session ARN without its name.
const PRINCIPAL_KEYS_SQL = `
  list_distinct(list_filter([
    lower(uid ->> 'arn'),
    lower(uid ->> 'principalId'),
    lower(split_part(uid ->> 'principalId', ':', 1)),
    lower(uid ->> 'userName'),
    lower(uid ->> 'accessKeyId'),
    lower(uid -> 'sessionContext' -> 'sessionIssuer' ->> 'arn'),
    lower(uid -> 'sessionContext' -> 'sessionIssuer' ->> 'userName'),
    lower(regexp_extract(uid ->> 'arn', '^(arn:[^:]*:sts::[^:]*:assumed-role/[^/]+)/', 1))
  ], k -> k IS NOT NULL AND k <> ''))`;

// S3 objects and buckets named by the record. resources[] is what CloudTrail resolved and
// wins; requestParameters is the fallback for records (often from pipelines) without it.
// ARNPrefix entries are listings: their path is the listed prefix, not an object.
const RAW_TOUCHES_SQL = `
  CASE WHEN len(resource_arns) + len(prefix_arns) > 0 THEN
    list_concat(
      list_transform(resource_arns, a -> {
        'bucket': regexp_extract(a, ${ARN_BUCKET}, 1),
        'path': nullif(regexp_extract(a, ${ARN_PATH}, 1), ''),
        'is_object': nullif(regexp_extract(a, ${ARN_PATH}, 1), '') IS NOT NULL
      }),
      list_transform(prefix_arns, a -> {
        'bucket': regexp_extract(a, ${ARN_BUCKET}, 1),
        'path': nullif(regexp_extract(a, ${ARN_PATH}, 1), ''),
        'is_object': false
      }))
  WHEN (params ->> 'bucketName') IS NOT NULL THEN
    list_concat(
      [{
        'bucket': params ->> 'bucketName',
        'path': nullif(coalesce(params ->> 'key', params ->> 'prefix'), ''),
        'is_object': nullif(params ->> 'key', '') IS NOT NULL
      }],
      CASE WHEN copy_source LIKE '%/_%' THEN [{
        'bucket': split_part(copy_source, '/', 1),
        'path': substr(copy_source, strpos(copy_source, '/') + 1),
        'is_object': true
      }] ELSE [] END)
  ELSE [] END`;

// A bucket-level entry adds nothing when the same event also names a path in that bucket,
// and would wrongly pull in the bucket's or account's owner when the path is a tenant's.
const TOUCHES_SQL = `
  list_filter(list_distinct(raw_touches), t -> t.path IS NOT NULL
    OR NOT list_bool_or(list_transform(raw_touches, u -> u.bucket = t.bucket
      AND u.path IS NOT NULL)))`;

/**
 * The CloudTrail adapter. A record's time is `eventTime`, else the pipeline's `@timestamp`,
 * else the lookup-events wrapper's `EventTime`. Records that repeat an eventID with the same
 * name, time and caller are one event (CloudTrail may deliver an event more than once).
 */
export const cloudtrailAdapter: LogAdapter = {
  format: 'cloudtrail',
  hasSubjects: false,

  eventsSql(source) {
    return `
      SELECT
        CASE WHEN (rec ->> 'eventID') IS NOT NULL
          THEN concat_ws('|', rec ->> 'eventID', rec ->> 'eventName',
            coalesce(rec ->> 'eventTime', rec ->> '@timestamp'),
            uid ->> 'arn', uid ->> 'principalId')
        END AS event_id,
        coalesce(
          try_cast(rec ->> 'eventTime' AS TIMESTAMPTZ),
          try_cast(rec ->> '@timestamp' AS TIMESTAMPTZ),
          try_cast(outer_rec ->> 'EventTime' AS TIMESTAMPTZ)
        ) AS event_time,
        rec ->> 'eventName' AS action,
        rec ->> 'sourceIPAddress' AS source_ip,
        ${PRINCIPAL_KEYS_SQL} AS principal_keys,
        rec ->> 'recipientAccountId' AS account_id,
        coalesce((rec ->> 'eventSource') = 's3.amazonaws.com'
          AND (rec ->> 'eventName') IN (${DATA_ACTION_LIST}), false) AS data_access,
        coalesce(rec ->> 'errorCode', '') <> '' AS failed,
        NULL::VARCHAR AS subject,
        rec AS raw
      FROM (SELECT *, rec -> 'userIdentity' AS uid FROM (${recordsSql(source)}))`;
  },

  withTouchesSql(relation) {
    return `
      SELECT * EXCLUDE (params, resource_arns, prefix_arns, copy_source, raw_touches)
      FROM (
        SELECT *,
          raw -> 'requestParameters' AS params,
          list_filter(
            list_transform(json_extract(raw, '$.resources[*]'),
              r -> coalesce(r ->> 'ARN', r ->> 'arn')),
            a -> regexp_matches(a, ${S3_ARN})) AS resource_arns,
          list_filter(
            list_transform(json_extract(raw, '$.resources[*]'),
              r -> coalesce(r ->> 'ARNPrefix', r ->> 'arnPrefix')),
            a -> regexp_matches(a, ${S3_ARN})) AS prefix_arns,
          regexp_replace(url_decode(ltrim(params ->> 'x-amz-copy-source', '/')), '\\?.*$', '')
            AS copy_source,
          ${RAW_TOUCHES_SQL} AS raw_touches,
          ${TOUCHES_SQL} AS touches
        FROM ${relation}
      )`;
  },
};
