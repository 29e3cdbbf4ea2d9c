/**
 * Who reads a post-mortem, and the record that they did. Issue 5: "only the incident's team,
 * incident managers and auditors read a post-mortem; reads are audited". The policy decides
 * (postmortem.read, scope own_team); this module loads the team it needs and writes the
 * `postmortem.read` audit entry. Refusals over HTTP are audited as `access.denied` by
 * src/http/authorize.ts.
 */
import { appendAudit } from '../audit/log.ts';
import { type Actor, actorLabel } from '../auth/actor.ts';
import { inScope, scopeOf } from '../auth/policy.ts';
import type { Conn, Db } from '../store/db.ts';
import { teamActorIds } from './team.ts';

/**
 * Who is reading. `operator`: the operator at the command line, who holds the data folder and
 * could read the table directly, so is not refused; their reads are audited all the same.
 */
export interface PostmortemReader {
  actor: Actor;
  operator: boolean;
}

/** Where a read came from: the post-mortem route or the investigation in full. */
export type PostmortemReadVia = 'postmortem' | 'investigation';

/** What readers not allowed to read the post-mortem see in its place. */
export const RESTRICTED_POSTMORTEM = { restricted: true } as const;

/** Whether the reader may read this investigation's post-mortem. */
export async function mayReadPostmortem(
  conn: Conn,
  reader: PostmortemReader,
  investigationId: string,
): Promise<boolean> {
  if (reader.operator) return true;
  const { actor } = reader;
  const scope = scopeOf(actor, 'postmortem.read');
  if (scope === null) return false;

  const team = scope === 'own_team' ? await teamActorIds(conn, investigationId) : [];
  return inScope(actor, 'postmortem.read', { tenantIds: [], team });
}

/** Writes the `postmortem.read` audit entry for one read, in its own transaction. */
export async function auditPostmortemRead(
  db: Db,
  reader: PostmortemReader,
  investigationId: string,
  detail: { via: PostmortemReadVia; written: boolean },
): Promise<void> {
  await db.transaction((tx) =>
    appendAudit(tx, {
      actor: actorLabel(reader.actor),
      action: 'postmortem.read',
      entityType: 'investigation',
      entityId: investigationId,
      data: { via: detail.via, operator: reader.operator, written: detail.written },
    }),
  );
}
