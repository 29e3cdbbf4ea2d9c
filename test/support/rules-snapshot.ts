/**
 * The shared snapshot (factories.ts) plus the tables suppression and reports touch, to prove
 * that a refused rule, classification or report changed nothing.
 */
import { sql } from 'drizzle-orm';
import type { Db } from '../../src/store/db.ts';
import { snapshot } from './factories.ts';

const EXTRA_TABLES = ['suppression_rules', 'staff_alerts', 'correlation_keys'];

export async function snapshotWithRules(db: Db): Promise<Record<string, string>> {
  const out = await snapshot(db);
  for (const t of EXTRA_TABLES) {
    const res: unknown = await db.execute(
      sql.raw(
        `SELECT count(*)::text || ':' || ` +
          `md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) AS d FROM ${t} x`,
      ),
    );
    out[t] = (res as { rows: { d: string }[] }).rows[0]?.d ?? '';
  }
  return out;
}
