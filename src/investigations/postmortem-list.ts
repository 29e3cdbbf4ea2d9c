/**
 * Which post-mortems a reader may open: every written one for incident managers and auditors
 * (scope `all` of postmortem.read), only those of investigations whose team they are on for
 * the team-bound roles. The list names each investigation and when its post-mortem was
 * written; the post-mortem itself is read, and audited, through GET …/:id/postmortem.
 */
import { sql } from 'drizzle-orm';
import type { Actor } from '../auth/actor.ts';
import { scopeOf } from '../auth/policy.ts';
import { type Db, iso } from '../store/db.ts';

export interface PostmortemListing {
  id: string;
  ref: string;
  title: string;
  stage: string;
  writtenAt: string | null;
}

export async function listPostmortems(
  db: Db,
  actor: Actor,
  limit: number,
): Promise<PostmortemListing[]> {
  const scope = scopeOf(actor, 'postmortem.read');
  if (scope === null) return [];
  // Only signed-in people are on teams (team.ts: actor id `person:<email>`); a token is not.
  if (scope === 'own_team' && !actor.id.startsWith('person:')) return [];

  const onTeam =
    scope === 'all'
      ? sql`TRUE`
      : sql`EXISTS (SELECT 1 FROM investigation_team t JOIN people p ON p.id = t.person_id
          WHERE t.investigation_id = i.id AND t.removed_at IS NULL AND p.disabled_at IS NULL
            AND 'person:' || p.email = ${actor.id})`;
  const result: unknown = await db.execute(sql`
    SELECT i.id, i.number, i.title, i.stage, i.postmortem ->> 'completedAt' AS "writtenAt"
    FROM investigations i
    WHERE i.postmortem IS NOT NULL AND ${onTeam}
    ORDER BY i.postmortem ->> 'completedAt' DESC NULLS LAST, i.number DESC
    LIMIT ${limit}`);
  const rows = (result as { rows: (Omit<PostmortemListing, 'ref'> & { number: number })[] }).rows;

  return rows.map((r) => ({
    id: r.id,
    ref: `INV-${r.number}`,
    title: r.title,
    stage: r.stage,
    writtenAt: r.writtenAt === null ? null : iso(r.writtenAt),
  }));
}
