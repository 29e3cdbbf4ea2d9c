/**
 * Which stored report an e-mail follows up. The thread decides, never the time between the
 * messages: a reply months later still belongs to its report (docs/intake-email.md,
 * "Follow-ups"). Two things tie a message to a report:
 * - its thread headers (In-Reply-To, References; RFC 5322 §3.6.4) name a message we stored or
 *   an acknowledgement we sent;
 * - its Subject carries a tracking reference and it comes from the reporter of that report.
 * A reference alone from anyone else ties nothing: it may be made up or passed around, and
 * would file a stranger's mail under someone else's report and tell them its reference.
 */
import { and, eq, inArray, isNotNull, ne, or, sql } from 'drizzle-orm';

import type { Conn } from '../store/db.ts';
import { investigations, signals } from '../store/schema.ts';
import { acknowledgedSignalId, isAcknowledgementOf } from './email-ack.ts';

/** The report a message follows, and how that was told. */
export interface ReportThread {
  /** The stored message (signal) it answers or whose reference it carries. */
  signalId: string;
  /** That signal's investigation, open: the follow-up joins it. */
  investigationId: string;
  by: 'thread' | 'reference';
}

// The nearest messages of a thread are enough; a long References header is not read whole.
const MAX_THREAD_IDS = 50;
const MAX_REFERENCES = 5;

// RFC 5322 §3.6.4 msg-id, as the headers write it: `<left@right>`.
const MESSAGE_ID = /<[^<>\s]{1,250}>/g;
// newReference's shape: VR- and 10 characters of Crockford base32 (no I, L, O or U).
const REFERENCE = /\bVR-[0-9A-HJKMNP-TV-Z]{10}\b/gi;

/**
 * The open report the e-mail `record` (an EmailRecord, not yet validated) follows, or null
 * when it is a report of its own. `source` is the intake source it arrives on; messages
 * stored under it or under `email` are looked at.
 */
export async function findReportThread(
  db: Conn,
  record: unknown,
  source: string,
): Promise<ReportThread | null> {
  const message = threadFieldsOf(record);

  const byThread = await followedByHeaders(db, message.ids, source);
  if (byThread !== null) return { ...byThread, by: 'thread' };

  const byReference = await followedByReference(db, message.references, message.sender);
  return byReference === null ? null : { ...byReference, by: 'reference' };
}

interface ThreadFields {
  /** In-Reply-To first, then References from the nearest message back. */
  ids: string[];
  references: string[];
  sender: string | null;
}

function threadFieldsOf(record: unknown): ThreadFields {
  const r = (typeof record === 'object' && record !== null ? record : {}) as {
    headers?: Record<string, unknown>;
    subject?: unknown;
    from?: { address?: unknown } | null;
  };
  const header = (name: string) => {
    const value = r.headers?.[name];
    return typeof value === 'string' ? value : '';
  };

  const parents = header('in-reply-to').match(MESSAGE_ID) ?? [];
  const ancestors = (header('references').match(MESSAGE_ID) ?? []).reverse();
  const ids = [...new Set([...parents, ...ancestors])].slice(0, MAX_THREAD_IDS);

  const subject = typeof r.subject === 'string' ? r.subject : '';
  const found = (subject.match(REFERENCE) ?? []).map((ref) => ref.toUpperCase());
  const references = [...new Set(found)].slice(0, MAX_REFERENCES);

  const address = r.from?.address;
  const sender = typeof address === 'string' ? address.trim().toLowerCase() : null;
  return { ids, references, sender };
}

const CANDIDATE = {
  id: signals.id,
  investigationId: signals.investigationId,
  sourceEventId: signals.sourceEventId,
  reference: signals.reference,
  reporter: signals.reporter,
  // Where the acknowledgement of this message went (email-ack.ts: the envelope sender).
  ackedTo: sql<string | null>`${signals.raw} -> 'envelope' ->> 'mailFrom'`,
};

/**
 * The nearest message of the thread that we stored, or whose acknowledgement we sent, and
 * whose investigation is open. Acknowledgement ids are checked against the address they
 * went to, so one made up from a signal id does not count.
 */
async function followedByHeaders(db: Conn, ids: string[], source: string) {
  if (ids.length === 0) return null;

  const acked = ids.flatMap((id) => {
    const signalId = acknowledgedSignalId(id);
    return signalId === null ? [] : [{ id, signalId }];
  });
  const ackedSignals = acked.map((a) => a.signalId);
  const rows = await openEmailSignals(
    db,
    or(
      // Restates the unique index's predicate (source, source_event_id) so that it is used.
      and(
        inArray(signals.source, [...new Set([source, 'email'])]),
        isNotNull(signals.sourceEventId),
        inArray(signals.sourceEventId, ids),
      ),
      ackedSignals.length === 0 ? undefined : inArray(signals.id, ackedSignals),
    ),
  );

  const positionOf = (row: (typeof rows)[number]) => {
    const stored = row.sourceEventId === null ? -1 : ids.indexOf(row.sourceEventId);
    const ack = acked.find(
      (a) => a.signalId === row.id && isAcknowledgementOf(a.id, row.id, row.ackedTo ?? ''),
    );
    const positions = [stored, ack === undefined ? -1 : ids.indexOf(ack.id)];
    return Math.min(...positions.filter((p) => p >= 0), Number.POSITIVE_INFINITY);
  };
  return nearest(rows, positionOf);
}

/** The open report a Subject reference names, when the message comes from its reporter. */
async function followedByReference(db: Conn, references: string[], sender: string | null) {
  if (references.length === 0 || sender === null) return null;

  const rows = await openEmailSignals(db, inArray(signals.reference, references));
  const positionOf = (row: (typeof rows)[number]) =>
    row.reporter === sender && row.reference !== null
      ? references.indexOf(row.reference)
      : Number.POSITIVE_INFINITY;
  return nearest(rows, positionOf);
}

/** E-mail signals matching `where` that belong to an investigation that is not closed. */
async function openEmailSignals(db: Conn, where: ReturnType<typeof and>) {
  // A closed investigation takes no more signals (docs/intake.md): such a follow-up is new.
  return db
    .select(CANDIDATE)
    .from(signals)
    .innerJoin(investigations, eq(investigations.id, signals.investigationId))
    .where(and(where, eq(signals.format, 'email'), ne(investigations.stage, 'close')));
}

function nearest<T extends { id: string; investigationId: string | null }>(
  rows: T[],
  positionOf: (row: T) => number,
): { signalId: string; investigationId: string } | null {
  let best: { row: T; position: number } | null = null;
  for (const row of rows) {
    const position = positionOf(row);
    if (!Number.isFinite(position) || (best !== null && position >= best.position)) continue;
    best = { row, position };
  }
  const investigationId = best?.row.investigationId ?? null;
  if (best === null || investigationId === null) return null;
  return { signalId: best.row.id, investigationId };
}
