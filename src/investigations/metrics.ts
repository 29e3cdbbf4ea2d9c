/**
 * Counts for dashboards and monitoring: open investigations by stage, obligations open and
 * missed (a deadline passed unmet, or met late), deliveries by state, alerts to staff.
 */
import { sql } from 'drizzle-orm';
import type { Db } from '../store/db.ts';

async function rows<T>(db: Db, query: ReturnType<typeof sql>): Promise<T[]> {
  const result: unknown = await db.execute(query);
  return (result as { rows: T[] }).rows;
}

export async function metrics(db: Db, now = new Date()) {
  const at = now.toISOString();
  const stages = await rows<{ stage: string; n: number }>(
    db,
    sql`SELECT stage, count(*)::int AS n FROM investigations GROUP BY stage ORDER BY stage`,
  );
  const [obligations] = await rows<{ open: number; missed: number; metLate: number }>(
    db,
    sql`SELECT
      count(*) FILTER (WHERE status NOT IN ('met', 'not_required'))::int AS open,
      count(*) FILTER (WHERE status NOT IN ('met', 'not_required') AND due < ${at})::int AS missed,
      count(*) FILTER (WHERE met_at IS NOT NULL AND (met_at > due OR late_since IS NOT NULL))::int
        AS "metLate"
      FROM clocks`,
  );
  const deliveries = await rows<{ status: string; n: number }>(
    db,
    sql`SELECT status, count(*)::int AS n FROM outbox GROUP BY status ORDER BY status`,
  );
  const alerts = await rows<{ kind: string; n: number }>(
    db,
    sql`SELECT kind, count(*)::int AS n FROM staff_alerts GROUP BY kind ORDER BY kind`,
  );

  const byKey = <T extends { n: number }>(list: T[], key: keyof T) =>
    Object.fromEntries(list.map((r) => [String(r[key]), r.n]));
  return {
    at,
    investigationsByStage: byKey(stages, 'stage'),
    obligations: obligations ?? { open: 0, missed: 0, metLate: 0 },
    deliveriesByStatus: byKey(deliveries, 'status'),
    staffAlertsByKind: byKey(alerts, 'kind'),
  };
}
