/**
 * The dashboards' timings (src/domain/timings.ts computes them) read from the stored
 * instants: investigations.first_seen (the earliest signal's own time), opened_at and
 * declared_at, the first row of ratings, and the GDPR Art. 33(2) controller clocks (starts_at
 * is awareness, met_at the first delivery that reached a breach contact, due the deadline).
 * Training exercises are left out: they are not how the team responds to real incidents.
 */
import { sql } from 'drizzle-orm';
import { aggregateTimings, type InvestigationInstants } from '../domain/timings.ts';
import type { TimingRange } from '../domain/timings-range.ts';
import { type Db, iso } from '../store/db.ts';

type Instant = string | Date;

async function rows<T>(db: Db, query: ReturnType<typeof sql>): Promise<T[]> {
  const result: unknown = await db.execute(query);
  return (result as { rows: T[] }).rows;
}

export async function timingReport(db: Db, range: TimingRange, now = new Date()) {
  const inRange = sql`i.exercise_id IS NULL
    AND i.opened_at >= ${range.from}::timestamptz AND i.opened_at < ${range.to}::timestamptz`;
  const investigations = await rows<{
    id: string;
    sourceKind: string;
    classification: string | null;
    firstSeen: Instant;
    openedAt: Instant;
    declaredAt: Instant | null;
    firstRatedAt: Instant | null;
  }>(
    db,
    sql`SELECT i.id, i.source_kind AS "sourceKind", i.classification,
        i.first_seen AS "firstSeen", i.opened_at AS "openedAt", i.declared_at AS "declaredAt",
        r.first AS "firstRatedAt"
      FROM investigations i
      LEFT JOIN (SELECT investigation_id, min(at) AS first FROM ratings
          GROUP BY investigation_id) r ON r.investigation_id = i.id
      WHERE ${inRange}`,
  );
  // gdpr-33-2 'controller' is the duty that a delivered tenant notice meets (clocks.ts).
  const duties = await rows<{
    investigationId: string;
    startsAt: Instant | null;
    due: Instant | null;
    metAt: Instant | null;
    status: string;
  }>(
    db,
    sql`SELECT c.investigation_id AS "investigationId", c.starts_at AS "startsAt", c.due,
        c.met_at AS "metAt", c.status
      FROM clocks c JOIN investigations i ON i.id = c.investigation_id
      WHERE c.regime = 'gdpr-33-2' AND c.filing = 'controller' AND ${inRange}`,
  );

  const byInvestigation = new Map<string, InvestigationInstants['notifications']>();
  for (const d of duties) {
    const list = byInvestigation.get(d.investigationId) ?? [];
    list.push({
      startsAt: iso(d.startsAt),
      due: iso(d.due),
      metAt: iso(d.metAt),
      notRequired: d.status === 'not_required',
    });
    byInvestigation.set(d.investigationId, list);
  }
  const instants: InvestigationInstants[] = investigations.map((i) => ({
    sourceKind: i.sourceKind,
    classification: i.classification,
    firstSignalAt: iso(i.firstSeen),
    openedAt: iso(i.openedAt),
    firstRatedAt: iso(i.firstRatedAt),
    declaredAt: iso(i.declaredAt),
    notifications: byInvestigation.get(i.id) ?? [],
  }));

  return { at: now.toISOString(), ...range, ...aggregateTimings(instants, now) };
}
