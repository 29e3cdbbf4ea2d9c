/**
 * Zeek notice log (notice.log), as JSON lines or as Zeek's tab-separated text (read by
 * zeek-log-reader.ts). Only notices become signals; records of Zeek's other logs (conn, http,
 * dns …) handed to this format are skipped with the log they came from.
 *
 * Field names follow Zeek's Notice::Info record (docs.zeek.org, base/frameworks/notice/main.zeek).
 * Pipelines spell the connection fields three ways: `id.orig_h` (Zeek's JSON writer),
 * `{"id": {"orig_h": …}}` (nested by a shipper) and `id_orig_h` (Security Onion, the OTRF
 * datasets); all three are read.
 */
import { fail } from '../domain/errors.ts';
import type { Severity } from '../domain/types.ts';
import { contentEventId } from './content-event-id.ts';
import { normalizeEpoch } from './epoch-time.ts';
import { fieldAt, listOf } from './field-path.ts';
import { fingerprint } from './fingerprint.ts';
import { collectObservables } from './observables.ts';
import { describe, ipOrNull, objectOf, outcomeOf, skipped, textOrNull } from './outcome.ts';
import type { IntakeAdapter, ParseOutcome } from './outcome.ts';
import { type NormalizedTimestamp, normalizeTimestamp } from './timestamp.ts';
import { zeekLogReader } from './zeek-log-reader.ts';

const FORMAT = 'zeek';

/** Zeek notice adapter: records with a `note` become signals, other Zeek records are skipped. */
export const zeekAdapter: IntakeAdapter = {
  format: FORMAT,
  reader: zeekLogReader,
  parse: (record) => outcomeOf(() => parseNotice(record)),
};

function parseNotice(input: unknown): ParseOutcome {
  const record = objectOf(input);

  const note = zeekField(record, 'note');
  if (note === undefined || note === null) return skipped(notANotice(record));
  if (typeof note !== 'string' || !note.trim()) {
    fail(
      'BD_INTAKE_FIELD_INVALID',
      `note must be a notice type such as "Scan::Port_Scan", got ${describe(note)}`,
      'note',
    );
  }

  const time = noticeTime(zeekField(record, 'ts'));
  const message = textOrNull(zeekField(record, 'msg'));
  const uid = textOrNull(zeekField(record, 'uid'));

  // `src`/`dst` are set for notices without a connection; `id.*` for those with one.
  const sourceIp = ipOrNull(zeekField(record, 'src')) ?? ipOrNull(zeekField(record, 'id.orig_h'));
  const destinationIp =
    ipOrNull(zeekField(record, 'dst')) ?? ipOrNull(zeekField(record, 'id.resp_h'));

  return {
    kind: 'signal',
    signal: {
      format: FORMAT,
      sourceKind: 'automated_alert',
      // A connection can raise several notice types at one instant: the note keeps them apart.
      // Without a uid the record's content is its id, so a resent log is not stored twice.
      sourceEventId:
        uid === null ? contentEventId(input) : `${uid}:${note.trim()}:${time.original}`,
      occurredAt: time.utc,
      originalTimestamp: time.original,
      title: message === null ? note.trim() : `${note.trim()}: ${message}`,
      severity: severityOf(zeekField(record, 'actions')),
      // The message is left out: it often counts things ("scanned at least 15 unique ports")
      // and would split one ongoing scan into many investigations. Ports are left out too.
      fingerprint: fingerprint(FORMAT, [note.trim(), sourceIp, destinationIp]),
      host: textOrNull(zeekField(record, 'peer_descr')) ?? textOrNull(fieldAt(record, '@system')),
      sourceIp,
      destinationIp,
      principal: null,
      exerciseId: null,
      observables: collectObservables([
        { kind: 'ip', value: sourceIp, tag: 'source' },
        { kind: 'ip', value: destinationIp, tag: 'destination' },
        ...listOf(zeekField(record, 'email_dest')).map((value) => ({
          kind: 'email' as const,
          value,
          tag: 'notified',
        })),
      ]),
      raw: input,
    },
  };
}

/** A connection field in any of the three spellings pipelines use (see the file comment). */
function zeekField(record: Record<string, unknown>, path: string): unknown {
  const value = fieldAt(record, path);
  return value === undefined ? fieldAt(record, path.replaceAll('.', '_')) : value;
}

/** Names the log a non-notice record came from, when the pipeline or reader said so. */
function notANotice(record: Record<string, unknown>): string {
  const log = textOrNull(fieldAt(record, '_path')) ?? textOrNull(fieldAt(record, '@stream'));
  const from = log === null ? '' : ` (a record of Zeek's ${JSON.stringify(log.slice(0, 40))} log)`;
  return `record has no note, so it is not a notice${from}`;
}

/**
 * `ts` is epoch seconds with a fraction in Zeek's default output, or ISO 8601 when
 * `LogAscii::json_timestamps` is set to JSON::TS_ISO8601; both are UTC instants.
 */
function noticeTime(value: unknown): NormalizedTimestamp {
  if (value === undefined || value === null || value === '') {
    fail('BD_INTAKE_FIELD_MISSING', 'ts is required', 'ts');
  }

  const isoText = typeof value === 'string' && /^\s*\d{4}-/.test(value);
  const time = isoText ? normalizeTimestamp(value, 'ts') : normalizeEpoch(value, 'ts', 'seconds');
  if ('error' in time) fail('BD_INTAKE_FIELD_INVALID', time.error, 'ts');
  return time;
}

/**
 * Zeek notices carry no severity; what a site configured Zeek to do with a notice type is the
 * nearest thing to one (Notice::Action, base/frameworks/notice/main.zeek): a notice set to
 * page or to drop traffic is high, one set to alarm or e-mail is medium, one that is only
 * logged (every notice is) is low.
 */
function severityOf(actions: unknown): Severity {
  const names = new Set(listOf(actions).filter((action) => typeof action === 'string'));
  if (names.has('Notice::ACTION_PAGE') || names.has('Notice::ACTION_DROP')) return 'high';

  const told = ['Notice::ACTION_ALARM', 'Notice::ACTION_EMAIL', 'Notice::ACTION_EMAIL_ADMIN'];
  return told.some((name) => names.has(name)) ? 'medium' : 'low';
}
