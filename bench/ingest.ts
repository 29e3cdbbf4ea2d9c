/**
 * Ingest throughput: generated Suricata alerts (5 % repeats) through the real intake path
 * (parse, fingerprint, de-duplicate, one transaction and one audit entry per alert) against a
 * baseline of multi-row INSERTs of the same normalised signal rows, on the same database.
 * PGlite by default; PostgreSQL when DATABASE_URL is set.
 */
import { cliActor } from '../src/auth/actor.ts';
import { ingestRecords } from '../src/intake/ingest.ts';
import { adapterFor } from '../src/intake/registry.ts';
import { openStore, type Store } from '../src/store/db.ts';
import { newId } from '../src/store/ids.ts';
import { investigations, signals } from '../src/store/schema.ts';
import type { BenchResult } from './run.ts';

function alerts(n: number) {
  const out: unknown[] = [];
  for (let i = 0; i < n; i++) {
    // Every 20th alert repeats an earlier one: the 5 % duplicates of issue 4's bench.
    const k = i % 20 === 19 ? i - 1 : i;
    out.push({
      timestamp: new Date(Date.UTC(2026, 10, 30) + i * 1000).toISOString().replace('Z', '+0000'),
      event_type: 'alert',
      src_ip: `198.51.100.${k % 250}`,
      dest_ip: `10.0.${(k >> 8) & 255}.${k & 255}`,
      proto: 'TCP',
      flow_id: i,
      alert: { signature_id: 1_000_000 + k, signature: `bench signature ${k}`, severity: 2 },
    });
  }
  return out;
}

async function fresh(): Promise<Store> {
  return openStore({ dataDir: 'memory://bench', databaseUrl: process.env.DATABASE_URL || null });
}

async function product(records: unknown[]): Promise<number> {
  const store = await fresh();
  const t0 = performance.now();
  await ingestRecords(
    store.db,
    adapterFor('suricata'),
    records.map((record, i) => ({ line: i + 1, record })),
    {
      actor: cliActor('admin', 'bench'),
    },
  );
  const seconds = (performance.now() - t0) / 1000;
  await store.close();
  return records.length / seconds;
}

async function baseline(records: unknown[]): Promise<number> {
  const store = await fresh();
  const adapter = adapterFor('suricata');
  const now = new Date().toISOString();
  const t0 = performance.now();
  await store.db.transaction(async (tx) => {
    for (let i = 0; i < records.length; i += 500) {
      const rows = records.slice(i, i + 500).map((r) => {
        const o = adapter.parse(r, new Date());
        if (o.kind !== 'signal') throw new Error('bench alert did not parse');
        return o.signal;
      });
      const invs = rows.map((s) => ({
        id: newId(),
        title: s.title,
        stage: 'detect',
        sourceKind: s.sourceKind,
        fingerprint: s.fingerprint,
        firstSeen: s.occurredAt,
        lastSeen: s.occurredAt,
        severity: s.severity,
        openedAt: now,
        updatedAt: now,
      }));
      await tx.insert(investigations).values(invs);
      await tx.insert(signals).values(
        rows.map((s, j) => ({
          id: newId(),
          investigationId: invs[j]?.id ?? '',
          duplicate: false,
          format: s.format,
          sourceKind: s.sourceKind,
          sourceEventId: s.sourceEventId,
          fingerprint: s.fingerprint,
          occurredAt: s.occurredAt,
          originalTimestamp: s.originalTimestamp,
          receivedAt: now,
          title: s.title,
          severity: s.severity,
          host: s.host,
          sourceIp: s.sourceIp,
          destinationIp: s.destinationIp,
          principal: s.principal,
          raw: s.raw,
        })),
      );
    }
  });
  const seconds = (performance.now() - t0) / 1000;
  await store.close();
  return records.length / seconds;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

export async function ingestBench(quick: boolean): Promise<BenchResult> {
  const records = alerts(quick ? 1000 : 10_000);
  const rounds = quick ? 3 : 5;
  const p: number[] = [];
  const b: number[] = [];
  for (let r = 0; r < rounds; r++) {
    p.push(await product(records));
    b.push(await baseline(records));
    console.error(
      `round ${r + 1}: product ${p.at(-1)?.toFixed(0)} alerts/s, baseline ${b.at(-1)?.toFixed(0)} alerts/s`,
    );
  }
  const product_ = median(p);
  const baseline_ = median(b);
  return {
    bench: 'ingest',
    unit: 'alerts/s',
    product: product_,
    baseline: baseline_,
    ratio: product_ / baseline_,
  };
}
