/**
 * An investigation's obligations: one row per (investigation, regime, filing, tenant), each
 * with its legal source and, once its anchor moment is known, its clock. A row exists from the
 * moment the duty could plausibly be owed, in the state "to decide", so that an inspector's
 * first question ("did you consider this duty?") always has an answer. Re-running never makes
 * a second copy; correcting a moment recomputes the due instant but never erases the record
 * of a filing that was late (late_since).
 */
import { asc, eq, inArray, sql } from 'drizzle-orm';
import { appendAudit, appendAuditBatch, type AuditEvent } from '../audit/log.ts';
import { type Actor, actorLabel } from '../auth/actor.ts';
import { applicableRegimes, type DeploymentRole } from '../domain/applicability.ts';
import { type ClockMoments, computeFilings } from '../domain/clock-calculator.ts';
import { BreachdeskError } from '../domain/errors.ts';
import { getRegime } from '../domain/regimes/index.ts';
import type { Severity } from '../domain/types.ts';
import type { Conn, Tx } from '../store/db.ts';
import { iso } from '../store/db.ts';
import { newId } from '../store/ids.ts';
import { clocks, investigations, tenants } from '../store/schema.ts';
import { latestAffectedTenants } from '../scoping/results.ts';
import { deploymentRole } from './deployment-role.ts';

export interface StoredClock {
  id: string;
  regime: string;
  filing: string;
  tenantId: string | null;
  recipient: string;
  startsAt: string | null;
  /** Null for a duty "without undue delay", or while its anchor moment is not recorded. */
  due: string | null;
  source: string;
  /** to_decide | required | not_required | met */
  status: string;
  decision: unknown;
  metAt: string | null;
  lateSince: string | null;
}

interface Wanted {
  regime: string;
  filing: string;
  tenantId: string | null;
  recipient: string;
  contractHours: number | null;
}

/** Regimes added to or removed from an investigation by hand, each change with its reason. */
export interface RegimeOverrides {
  add: { regime: string; tenantId: string | null }[];
  remove: { regime: string; tenantId: string | null }[];
  reason: string;
}

/** What the rules ask of one investigation now, and what that was worked out from. */
interface Wants {
  wanted: Wanted[];
  /** Tenants the latest scoping run shows as affected. */
  affected: Set<string>;
  role: DeploymentRole;
}

async function wantedObligations(
  tx: Tx,
  investigationId: string,
  severity: Severity,
  overrides: RegimeOverrides | null,
  actor: Actor,
): Promise<Wants> {
  const affected = await latestAffectedTenants(tx, investigationId);
  const ids = affected.tenants.map((t) => t.tenantId);
  const rows = ids.length ? await tx.select().from(tenants).where(inArray(tenants.id, ids)) : [];
  const role = await deploymentRole(tx, actor);
  const publicRegistrant = process.env.BREACHDESK_PUBLIC_REGISTRANT === 'true';

  const wanted = new Map<string, Wanted>();
  const add = (w: Wanted) => wanted.set(`${w.regime}|${w.filing}|${w.tenantId ?? ''}`, w);
  // GDPR Art. 33(1) is always considered: even a processor may be controller for some of the
  // data (its own customers' accounts), and "not required, because …" must then be recorded.
  add({
    regime: 'gdpr-33-1',
    filing: 'authority',
    tenantId: null,
    recipient: 'supervisory-authority',
    contractHours: null,
  });

  for (const t of rows) {
    const tenant = { jurisdictions: t.jurisdictions, sector: t.sector };
    for (const a of applicableRegimes({
      deploymentRole: role,
      tenant,
      severity,
      publicRegistrant,
    })) {
      for (const filing of a.filings) {
        add({
          regime: a.regime,
          filing,
          tenantId: a.per === 'tenant' ? t.id : null,
          recipient: a.recipient,
          contractHours: a.per === 'tenant' ? t.contractHours : null,
        });
      }
    }
  }

  for (const o of overrides?.add ?? []) {
    const tenant = rows.find((t) => t.id === o.tenantId);
    for (const rule of getRegime(o.regime).filings) {
      add({
        regime: o.regime,
        filing: rule.filing,
        tenantId: o.tenantId,
        recipient: rule.to,
        contractHours: tenant?.contractHours ?? null,
      });
    }
  }
  const removed = (w: Wanted) =>
    (overrides?.remove ?? []).some(
      (o) => o.regime === w.regime && (o.tenantId === null || o.tenantId === w.tenantId),
    );
  return {
    wanted: [...wanted.values()].filter((w) => !removed(w)),
    affected: new Set(ids),
    role,
  };
}

/**
 * Creates the obligations the investigation could owe and does not have yet, and brings the
 * due instants of open ones in line with the recorded moments. Tenants that a later scoping
 * run no longer shows as affected have their open obligations decided "not required", with
 * the scoping run as the recorded reason. Call inside the transaction that changed things.
 */
export async function ensureClocks(tx: Tx, investigationId: string, actor: Actor): Promise<void> {
  const [inv] = await tx
    .select()
    .from(investigations)
    .where(eq(investigations.id, investigationId));
  if (!inv) return;

  const overrides = inv.regimeOverrides as RegimeOverrides | null;
  const wants = await wantedObligations(
    tx,
    investigationId,
    inv.severity as Severity,
    overrides,
    actor,
  );
  const { wanted } = wants;
  const existing = await tx
    .select()
    .from(clocks)
    .where(eq(clocks.investigationId, investigationId));
  const now = new Date().toISOString();
  const moments = {
    aware: iso(inv.awareAt) ?? undefined,
    classified: iso(inv.classifiedAt) ?? undefined,
    determined: iso(inv.determinedAt) ?? undefined,
  };
  const filed = filedInstants(existing);

  for (const w of wanted) {
    const filing = dueOf(w, {
      ...moments,
      filings: filed.get(`${w.regime}|${w.tenantId ?? ''}`) ?? {},
    });
    const prior = existing.find(
      (c) => c.regime === w.regime && c.filing === w.filing && c.tenantKey === (w.tenantId ?? ''),
    );
    const dates = { startsAt: filing?.startsAt ?? null, due: filing?.due ?? null };

    if (prior) {
      if (prior.status === 'not_required' && droppedByRules(prior.decision)) {
        await revive(tx, investigationId, prior, actor);
      }
      if (iso(prior.due) === dates.due && iso(prior.startsAt) === dates.startsAt) continue;
      // A duty met after the corrected due instant was met late: that is kept for good.
      const metAt = iso(prior.metAt);
      const nowLate = metAt !== null && dates.due !== null && metAt > dates.due;
      const lateSince = prior.lateSince ?? (nowLate ? dates.due : null);
      await tx
        .update(clocks)
        .set({ ...dates, lateSince, updatedAt: now })
        .where(eq(clocks.id, prior.id));
      await appendAudit(tx, {
        actor: actorLabel(actor),
        action: 'obligation.recomputed',
        entityType: 'investigation',
        entityId: investigationId,
        data: { clockId: prior.id, from: iso(prior.due), to: dates.due },
      });
      continue;
    }

    const id = newId();
    await tx.insert(clocks).values({
      id,
      investigationId,
      regime: w.regime,
      filing: w.filing,
      tenantKey: w.tenantId ?? '',
      recipient: w.recipient,
      ...dates,
      source: filing?.source ?? w.regime,
      status: 'to_decide',
      updatedAt: now,
    });
    await appendAudit(tx, {
      actor: actorLabel(actor),
      action: 'obligation.opened',
      entityType: 'investigation',
      entityId: investigationId,
      data: {
        clockId: id,
        regime: w.regime,
        filing: w.filing,
        tenantId: w.tenantId,
        due: dates.due,
      },
    });
  }

  await closeDropped(tx, investigationId, wants, existing, actor, overrides);
}

type ClockRow = typeof clocks.$inferSelect;

const NOT_AFFECTED = 'the latest scoping run no longer shows this tenant as affected';
const OVERRIDE_REMOVED = 'regime removed for this investigation: ';

/**
 * A "not required" that ensureClocks recorded itself (closeDropped), not one a person
 * decided. Rows from before the `automatic` marker are known by their fixed rationale.
 */
function droppedByRules(decision: unknown): boolean {
  const d = decision as { automatic?: unknown; rationale?: unknown } | null;
  if (d?.automatic === true) return true;
  const rationale = typeof d?.rationale === 'string' ? d.rationale : '';
  return rationale === NOT_AFFECTED || rationale.startsWith(OVERRIDE_REMOVED);
}

// The rules want a duty they had dropped (a broader scoping run shows the tenant again, an
// override is lifted): it owes again exactly what it owed before it was dropped.
async function revive(tx: Tx, investigationId: string, prior: ClockRow, actor: Actor) {
  const undone = prior.decision as { previous?: { status: string; decision: unknown } };
  const restored = undone.previous ?? { status: 'to_decide', decision: null };
  await tx
    .update(clocks)
    .set({
      status: restored.status,
      decision: restored.decision,
      updatedAt: new Date().toISOString(),
    })
    .where(eq(clocks.id, prior.id));
  await appendAudit(tx, {
    actor: actorLabel(actor),
    action: 'obligation.revived',
    entityType: 'investigation',
    entityId: investigationId,
    data: {
      clockId: prior.id,
      status: restored.status,
      undone: prior.decision,
      reason: 'the rules apply to it again (latest scoping run, role, overrides)',
    },
  });
}

// A tenant no longer in scope, a regime removed by hand, or a regime the rules no longer
// bring owes nothing: record that decision, saying which, instead of leaving a clock that
// nothing could ever meet. Marked automatic, with what it replaced, so it can be undone.
async function closeDropped(
  tx: Tx,
  investigationId: string,
  wants: Wants,
  existing: ClockRow[],
  actor: Actor,
  overrides: RegimeOverrides | null,
): Promise<void> {
  const keep = new Set(wants.wanted.map((w) => `${w.regime}|${w.filing}|${w.tenantId ?? ''}`));
  const dropped = existing.filter(
    (c) =>
      !keep.has(`${c.regime}|${c.filing}|${c.tenantKey}`) &&
      (c.status === 'to_decide' || c.status === 'required'),
  );

  for (const c of dropped) {
    const byOverride = (overrides?.remove ?? []).some((o) => o.regime === c.regime);
    const notAffected = c.tenantKey !== '' && !wants.affected.has(c.tenantKey);
    const rationale = byOverride
      ? `${OVERRIDE_REMOVED}${overrides?.reason ?? ''}`
      : notAffected
        ? NOT_AFFECTED
        : `the regime no longer applies: deployment role ${wants.role}, with the affected ` +
          "tenants' jurisdictions and sectors and the investigation's severity";
    const decision = {
      decision: 'not_required',
      rationale,
      automatic: true,
      previous: { status: c.status, decision: c.decision },
      decidedBy: actorLabel(actor),
      decidedAt: new Date().toISOString(),
    };
    await tx.update(clocks).set({ status: 'not_required', decision }).where(eq(clocks.id, c.id));
    await appendAudit(tx, {
      actor: actorLabel(actor),
      action: 'obligation.decided',
      entityType: 'investigation',
      entityId: investigationId,
      data: { clockId: c.id, ...decision },
    });
  }
}

/** The investigation's obligations, nearest deadline first, undated ones last. */
export async function listClocks(conn: Conn, investigationId: string): Promise<StoredClock[]> {
  const rows = await conn
    .select()
    .from(clocks)
    .where(eq(clocks.investigationId, investigationId))
    .orderBy(asc(clocks.due), asc(clocks.regime), asc(clocks.tenantKey));

  return rows.map((r) => ({
    id: r.id,
    regime: r.regime,
    filing: r.filing,
    tenantId: r.tenantKey === '' ? null : r.tenantKey,
    recipient: r.recipient,
    startsAt: iso(r.startsAt),
    due: iso(r.due),
    source: r.source,
    status: r.status,
    decision: r.decision,
    metAt: iso(r.metAt),
    lateSince: iso(r.lateSince),
  }));
}

/** A delivery that reached one of a tenant's breach contacts. */
export interface ControllerReached {
  investigationId: string;
  tenantId: string;
  /** When the message was accepted, UTC ISO 8601. */
  at: string;
}

/**
 * GDPR Art. 33(2): marks each tenant's controller obligation met by the first delivery that
 * reached one of its breach contacts. Only the first delivery sets met_at; later ones, in this
 * batch or after it, never move it. A delivery after the due instant records the clock late
 * (late_since), as a late filing does. One statement per investigation whatever the batch
 * size, and one batched audit entry per clock met, with the status it had.
 */
export async function markControllerClocksMet(
  tx: Tx,
  reached: readonly ControllerReached[],
): Promise<void> {
  const byInvestigation = new Map<string, Map<string, string>>();
  for (const r of reached) {
    const tenants = byInvestigation.get(r.investigationId) ?? new Map<string, string>();
    // The earliest delivery of the batch is the one that notified the controller.
    const seen = tenants.get(r.tenantId);
    if (seen === undefined || r.at < seen) tenants.set(r.tenantId, r.at);
    byInvestigation.set(r.investigationId, tenants);
  }

  const events: AuditEvent[] = [];
  for (const [investigationId, tenants] of byInvestigation) {
    // Arrays as single parameters keep this one indexed statement at any batch size.
    const tenantIds = sql.param([...tenants.keys()]);
    const ats = sql.param([...tenants.values()]);
    // gdpr-33-2 has the one filing 'controller'; naming it lets the unique index answer.
    // The locked sub-select keeps each clock's status from before the update, for the audit.
    const result: unknown = await tx.execute(sql`
      UPDATE ${clocks} c
      SET met_at = m.at, status = 'met', updated_at = m.at,
        late_since = COALESCE(c.late_since, CASE WHEN m.at > c.due THEN c.due END)
      FROM (
        SELECT o.id, o.status,
          (${ats}::timestamptz[])[array_position(${tenantIds}::text[], o.tenant_key)] AS at
        FROM ${clocks} o
        WHERE o.investigation_id = ${investigationId} AND o.regime = 'gdpr-33-2'
          AND o.filing = 'controller' AND o.tenant_key = ANY(${tenantIds}::text[])
          AND o.met_at IS NULL
        FOR UPDATE
      ) m
      WHERE c.id = m.id AND c.met_at IS NULL
      RETURNING c.id AS "clockId", c.tenant_key AS "tenantId", m.status AS "previousStatus",
        c.late_since IS NOT NULL AS late`);
    const met = (result as { rows: MetRow[] }).rows;

    for (const m of met) {
      const at = tenants.get(m.tenantId) ?? '';
      events.push({
        actor: 'system:outbox-worker',
        action: 'clock.met',
        entityType: 'investigation',
        entityId: investigationId,
        data: { ...m, metAt: at, by: 'delivery to a breach contact' },
        at: new Date(at),
      });
    }
  }
  await appendAuditBatch(tx, events);
}

interface MetRow {
  clockId: string;
  tenantId: string;
  previousStatus: string;
  late: boolean;
}

/** Obligations that still stand in the way of closing: neither met nor decided not required. */
export async function openObligations(conn: Conn, investigationId: string) {
  const rows = await conn.select().from(clocks).where(eq(clocks.investigationId, investigationId));
  return rows.filter((r) => r.status !== 'met' && r.status !== 'not_required');
}

/** Decides every open obligation "not required" because of how the investigation closed. */
export async function decideOpenNotRequired(
  tx: Tx,
  investigationId: string,
  actor: Actor,
  rationale: string,
): Promise<void> {
  for (const c of await openObligations(tx, investigationId)) {
    const decision = {
      decision: 'not_required',
      rationale,
      decidedBy: actorLabel(actor),
      decidedAt: new Date().toISOString(),
    };
    await tx.update(clocks).set({ status: 'not_required', decision }).where(eq(clocks.id, c.id));
    await appendAudit(tx, {
      actor: actorLabel(actor),
      action: 'obligation.decided',
      entityType: 'investigation',
      entityId: investigationId,
      data: { clockId: c.id, ...decision },
    });
  }
}

/** One report recorded on an obligation after the first (FilingRule.updatable). */
export interface FilingUpdate {
  /** UTC ISO 8601. */
  filedAt: string;
  reference: string;
  recordedBy: string;
  recordedAt: string;
}

/** The updates recorded on an obligation after the filing that met it, oldest first. */
export function filingUpdates(decision: unknown): FilingUpdate[] {
  const updates = (decision as { updates?: unknown } | null)?.updates;
  return Array.isArray(updates) ? (updates as FilingUpdate[]) : [];
}

/**
 * When the latest report of a met obligation was filed: its last update, else the filing
 * that met it. Null while it is not met.
 */
export function latestFiledAt(row: { metAt: string | null; decision: unknown }): string | null {
  if (row.metAt === null) return null;
  return filingUpdates(row.decision).at(-1)?.filedAt ?? row.metAt;
}

// A chained filing runs from the actual submission of the filing it follows (NIS2's final
// report from the notification; DORA's final report from the latest intermediate report).
function filedInstants(rows: (typeof clocks.$inferSelect)[]) {
  const out = new Map<string, Record<string, string>>();
  for (const r of rows) {
    const at =
      r.status === 'met' ? latestFiledAt({ metAt: iso(r.metAt), decision: r.decision }) : null;
    if (at === null) continue;
    const key = `${r.regime}|${r.tenantKey}`;
    out.set(key, { ...out.get(key), [r.filing]: at });
  }
  return out;
}

// Before its anchor moment is recorded an obligation has no date yet: the calculator refuses
// a regime with nothing to date it by, which here simply means "not yet".
function dueOf(w: Wanted, moments: ClockMoments) {
  try {
    const result = computeFilings(w.regime, moments, {
      contractHours: w.contractHours ?? undefined,
    });
    return result.filings.find((f) => f.filing === w.filing);
  } catch (err) {
    if (err instanceof BreachdeskError && err.code === 'BD_DEADLINE_INVALID') return undefined;
    throw err;
  }
}
