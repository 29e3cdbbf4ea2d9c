/**
 * Event ids for records whose sender gives none (fast alert lines, CEF without externalId,
 * generic JSON without `id`). Intake is idempotent on (source, source event id); without an
 * id a resent file would be stored a second time. The id is then the record's own content,
 * hashed: the same record sent twice gets one id, records differing in any byte get two.
 */
import { createHash } from 'node:crypto';

const PREFIX = 'sha256:';
const DERIVED = /^sha256:[0-9a-f]{64}$/;

/**
 * `sha256:` and the SHA-256 (hex) of the record: of a text line as it is, of any other value
 * as canonical JSON (object keys sorted), so key order and spacing do not make a new record.
 */
export function contentEventId(raw: unknown): string {
  const text = typeof raw === 'string' ? raw : canonicalJson(raw);
  return PREFIX + createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * The sender's id when there is one, else the content id of `raw`. A sender id shaped like a
 * content id is replaced by the record's own, so a sender can never claim (and so suppress)
 * the id another record will be given.
 */
export function eventIdOrContent(senderId: string | null, raw: unknown): string {
  if (senderId !== null && !DERIVED.test(senderId)) return senderId;
  return contentEventId(raw);
}

/** JSON with every object's keys in code-unit order; arrays keep their order. */
export function canonicalJson(value: unknown): string {
  // Object.fromEntries defines keys as own data properties, so a "__proto__" key is kept.
  const text = JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
  // JSON.stringify answers undefined for undefined and functions, which no parsed record holds.
  return text ?? 'null';
}
