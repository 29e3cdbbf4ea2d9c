import type { LogAdapter } from './types.ts';

/** The fields of one line of the generic NDJSON access log; docs/scoping.md describes them. */
export interface NdjsonAccessRecord {
  /** ISO 8601; without a zone it is read as UTC. */
  time: string;
  principal: string;
  sourceIp: string;
  action: string;
  /** 'bucket/key' (also 's3://bucket/key'), 'bucket' alone, or 'account:ID'. */
  resource: string;
  /** Id of the data subject whose record was touched, when the system knows it. */
  subject?: string;
  /** Present and non-empty when the access failed; such lines are counted as denied. */
  error?: string;
}

/**
 * The generic access-log adapter for systems that can write one JSON object per access.
 * Every line is a data access by definition; there is no management/data distinction.
 */
export const ndjsonAccessAdapter: LogAdapter = {
  format: 'ndjson',
  hasSubjects: true,

  eventsSql(source) {
    return `
      SELECT
        NULL::VARCHAR AS event_id,
        try_cast(obj ->> 'time' AS TIMESTAMPTZ) AS event_time,
        obj ->> 'action' AS action,
        obj ->> 'sourceIp' AS source_ip,
        list_filter([lower(trim(obj ->> 'principal'))], k -> k IS NOT NULL AND k <> '')
          AS principal_keys,
        CASE WHEN starts_with(resource, 'account:') THEN nullif(substr(resource, 9), '') END
          AS account_id,
        true AS data_access,
        coalesce(obj ->> 'error', '') <> '' AS failed,
        nullif(obj ->> 'subject', '') AS subject,
        obj AS raw
      FROM (
        SELECT obj, regexp_replace(coalesce(obj ->> 'resource', ''), '^s3://', '') AS resource
        FROM ${source}
      )`;
  },

  // 'bucket/key' is an object, 'bucket' alone the bucket; 'account:ID' names no bucket.
  withTouchesSql(relation) {
    return `
      SELECT * EXCLUDE (resource),
        CASE WHEN resource = '' OR starts_with(resource, 'account:') THEN []
        ELSE [{
          'bucket': regexp_extract(resource, '^([^/]+)', 1),
          'path': nullif(regexp_extract(resource, '^[^/]+/(.*)$', 1), ''),
          'is_object': nullif(regexp_extract(resource, '^[^/]+/(.*)$', 1), '') IS NOT NULL
        }] END AS touches
      FROM (
        SELECT *, regexp_replace(coalesce(raw ->> 'resource', ''), '^s3://', '') AS resource
        FROM ${relation}
      )`;
  },
};
