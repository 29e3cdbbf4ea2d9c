/**
 * How noisy each detection source is, and how much each suppression rule mutes: the figures
 * detection tuning works from (DESIGN.md §1.4: false positives feed detection tuning).
 */
import { sql } from 'drizzle-orm';

import type { MatchExpression } from '../domain/suppression.ts';
import { ruleState } from '../domain/suppression-rule.ts';
import { type Db, iso } from '../store/db.ts';

async function rows<T>(db: Db, query: ReturnType<typeof sql>): Promise<T[]> {
  const result: unknown = await db.execute(query);
  return (result as { rows: T[] }).rows;
}

export interface SourceKindFigures {
  sourceKind: string;
  /** Investigations opened by a signal of this kind. */
  opened: number;
  /** Of those, how many are classified at all, and how many as false positive. */
  classified: number;
  falsePositives: number;
  /** falsePositives / opened, rounded to 4 places; still-unclassified ones count as not false. */
  rate: number;
  /** Signals of this kind that a rule muted (they opened nothing). */
  suppressedSignals: number;
}

export interface RuleFigures {
  ruleId: string;
  state: 'active' | 'expired' | 'revoked';
  match: MatchExpression;
  owner: string;
  /** The false positive the rule came from, when it came from one. */
  investigationId: string | null;
  expiresAt: string;
  suppressedSignals: number;
}

/**
 * Per source kind: investigations opened, classified false positive and the rate; signals
 * suppressed. Per rule: signals suppressed. Counts are over all time.
 */
export async function falsePositiveReport(db: Db, now = new Date()) {
  const kinds = await rows<Omit<SourceKindFigures, 'rate'>>(
    db,
    sql`SELECT k.source_kind AS "sourceKind",
        coalesce(i.opened, 0)::int AS opened,
        coalesce(i.classified, 0)::int AS classified,
        coalesce(i.false_positives, 0)::int AS "falsePositives",
        coalesce(s.suppressed, 0)::int AS "suppressedSignals"
      FROM (SELECT source_kind FROM investigations
            UNION SELECT source_kind FROM signals WHERE suppressed_by IS NOT NULL) k
      LEFT JOIN (SELECT source_kind, count(*) AS opened,
            count(*) FILTER (WHERE classification IS NOT NULL) AS classified,
            count(*) FILTER (WHERE classification = 'false_positive') AS false_positives
          FROM investigations GROUP BY source_kind) i ON i.source_kind = k.source_kind
      LEFT JOIN (SELECT source_kind, count(*) AS suppressed FROM signals
          WHERE suppressed_by IS NOT NULL GROUP BY source_kind) s ON s.source_kind = k.source_kind
      ORDER BY k.source_kind`,
  );
  const rules = await rows<{
    id: string;
    match: unknown;
    owner: string;
    investigationId: string | null;
    expiresAt: string | Date;
    revokedAt: string | Date | null;
    n: number;
  }>(
    db,
    sql`SELECT r.id, r.match, r.owner, r.investigation_id AS "investigationId",
        r.expires_at AS "expiresAt", r.revoked_at AS "revokedAt", coalesce(s.n, 0)::int AS n
      FROM suppression_rules r
      LEFT JOIN (SELECT suppressed_by, count(*) AS n FROM signals
          WHERE suppressed_by IS NOT NULL GROUP BY suppressed_by) s ON s.suppressed_by = r.id
      ORDER BY n DESC, r.created_at DESC, r.id`,
  );

  const bySourceKind: SourceKindFigures[] = kinds.map((k) => ({
    ...k,
    rate: k.opened === 0 ? 0 : Math.round((k.falsePositives / k.opened) * 10_000) / 10_000,
  }));
  const byRule: RuleFigures[] = rules.map((r) => {
    const expiresAt = iso(r.expiresAt);
    return {
      ruleId: r.id,
      state: ruleState({ expiresAt, revokedAt: iso(r.revokedAt) }, now),
      // The raw driver hands jsonb back parsed (node-postgres) or as text (some PGlite paths).
      match: (typeof r.match === 'string' ? JSON.parse(r.match) : r.match) as MatchExpression,
      owner: r.owner,
      investigationId: r.investigationId,
      expiresAt,
      suppressedSignals: r.n,
    };
  });
  return { at: now.toISOString(), bySourceKind, byRule };
}
