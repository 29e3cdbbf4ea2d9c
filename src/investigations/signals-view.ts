/**
 * The signals of an investigation and the observables they name, as the console shows them:
 * the newest signals first, and each distinct observable once with how many signals name it.
 * The raw record stays out; it is evidence, exported through the evidence package.
 */
import { count, desc, eq } from 'drizzle-orm';
import { fail } from '../domain/errors.ts';
import type { Observable } from '../domain/types.ts';
import type { Db } from '../store/db.ts';
import { iso } from '../store/db.ts';
import { investigations, signals } from '../store/schema.ts';

export const SIGNALS_MAX_LIMIT = 500;

export async function investigationSignals(db: Db, id: string, opts: { limit?: number } = {}) {
  const [inv] = await db
    .select({ id: investigations.id })
    .from(investigations)
    .where(eq(investigations.id, id));
  if (!inv) fail('BD_NOT_FOUND', `investigation ${id} not found`, 'investigationId');

  const limit = Math.min(opts.limit ?? 100, SIGNALS_MAX_LIMIT);
  const [rows, [total]] = await Promise.all([
    db
      .select()
      .from(signals)
      .where(eq(signals.investigationId, id))
      .orderBy(desc(signals.occurredAt), desc(signals.id))
      .limit(limit),
    db.select({ n: count() }).from(signals).where(eq(signals.investigationId, id)),
  ]);

  return {
    investigationId: id,
    total: Number(total?.n ?? 0),
    signals: rows.map((s) => ({
      id: s.id,
      occurredAt: iso(s.occurredAt),
      receivedAt: iso(s.receivedAt),
      title: s.title,
      severity: s.severity,
      format: s.format,
      source: s.source,
      sourceKind: s.sourceKind,
      duplicate: s.duplicate,
      host: s.host,
      sourceIp: s.sourceIp,
      destinationIp: s.destinationIp,
      principal: s.principal,
      tenantId: s.tenantId,
      reference: s.reference,
      observables: s.observables as Observable[],
    })),
    // Over the signals shown: the page is what the reader sees, so the counts match it.
    observables: tallyObservables(rows.map((s) => s.observables as Observable[])),
  };
}

function tallyObservables(lists: Observable[][]) {
  const byKey = new Map<string, { kind: string; value: string; tags: Set<string>; n: number }>();
  for (const list of lists) {
    for (const o of list) {
      const key = `${o.kind}\u0000${o.value}`;
      const seen = byKey.get(key) ?? { kind: o.kind, value: o.value, tags: new Set(), n: 0 };
      seen.n += 1;
      for (const t of o.tags ?? []) seen.tags.add(t);
      byKey.set(key, seen);
    }
  }

  return [...byKey.values()]
    .sort((a, b) => b.n - a.n || a.kind.localeCompare(b.kind) || a.value.localeCompare(b.value))
    .map((o) => ({ kind: o.kind, value: o.value, tags: [...o.tags].sort(), signals: o.n }));
}
