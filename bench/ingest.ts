/**
 * Ingest throughput (issue 4): generated Suricata EVE alerts, 5 % of them sent twice, streamed
 * from an NDJSON file through the real intake (read, parse, normalise, fingerprint, idempotency,
 * correlation, batched transactions, audit) against a baseline of PostgreSQL `COPY` of the same
 * normalised signal rows, prepared on disk before the clock starts. Peak RSS of the product is
 * sampled and printed: memory must stay flat however large the file.
 *
 * Full: 1,000,000 alerts on PostgreSQL (DATABASE_URL); 100,000 on PGlite. --quick: 20,000.
 * `ingest-1gb` runs the real `breachdesk ingest` command on a file of about 1 GB and reports
 * its peak resident memory.
 */
import { once } from 'node:events';
import { spawn } from 'node:child_process';
import {
  createReadStream,
  createWriteStream,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';

import { sql } from 'drizzle-orm';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

import { cliActor } from '../src/auth/actor.ts';
import { ingestRecords } from '../src/intake/ingest.ts';
import { adapterFor, fileRecords } from '../src/intake/registry.ts';
import { copyField } from '../src/intake/store-batch.ts';
import { newId } from '../src/store/ids.ts';
import { freshStore } from './fresh-store.ts';
import type { BenchResult } from './run.ts';

const SIGNATURES = 100;
const SOURCES = 20;
const HOURS = 12;

/** The i-th alert: 2,000 distinct fingerprints; every 20th line re-sends line i-1. */
function alertLine(i: number, total: number): string {
  const k = i % 20 === 19 ? i - 1 : i;
  const at = Date.UTC(2026, 10, 30) + Math.floor((k * HOURS * 3_600_000) / total);
  return JSON.stringify({
    timestamp: new Date(at).toISOString().replace('Z', '+0000'),
    flow_id: 1_000_000_000 + k,
    in_iface: 'eth0',
    event_type: 'alert',
    src_ip: `198.51.100.${k % SOURCES}`,
    src_port: 40_000 + (k % 20_000),
    // Each source talks to its own target: 2,000 (signature, source, target) fingerprints.
    dest_ip: `10.0.1.${k % SOURCES}`,
    dest_port: 443,
    proto: 'TCP',
    host: `sensor-${k % 7}`,
    alert: {
      action: 'allowed',
      gid: 1,
      signature_id: 2_000_000 + (Math.floor(k / SOURCES) % SIGNATURES),
      rev: 3,
      signature: `BENCH suspicious transfer ${Math.floor(k / SOURCES) % SIGNATURES}`,
      category: 'Potential Corporate Privacy Violation',
      severity: 2,
    },
  });
}

async function writeAlerts(path: string, total: number): Promise<void> {
  const out = createWriteStream(path);
  for (let i = 0; i < total; i++) {
    if (!out.write(`${alertLine(i, total)}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

const COPY_COLUMNS = [
  'id',
  'duplicate',
  'format',
  'source',
  'source_kind',
  'source_event_id',
  'fingerprint',
  'occurred_at',
  'original_timestamp',
  'received_at',
  'title',
  'severity',
  'host',
  'source_ip',
  'destination_ip',
  'observables',
  'raw',
];

/**
 * The normalised signal rows of the same file, in COPY text format (the baseline's input):
 * parsed by the same adapter, so the rows are the ones the product stores.
 */
async function writeCopyRows(alertsPath: string, copyPath: string): Promise<number> {
  const adapter = adapterFor('suricata');
  const out = createWriteStream(copyPath);
  const now = new Date().toISOString();
  let rows = 0;

  for await (const item of fileRecords(adapter, alertsPath)) {
    if (!('record' in item)) throw new Error(`bench line ${item.line} is not JSON`);
    // Re-sent lines (every 20th) are not stored by the product; COPY gets the rows it stores.
    if ((item.line - 1) % 20 === 19) continue;
    const outcome = adapter.parse(item.record, new Date());
    if (outcome.kind !== 'signal') throw new Error(`bench line ${item.line} did not parse`);

    const s = outcome.signal;
    const fields = [
      newId(),
      'f',
      s.format,
      s.format,
      s.sourceKind,
      s.sourceEventId,
      s.fingerprint,
      s.occurredAt,
      s.originalTimestamp,
      now,
      s.title,
      s.severity,
      s.host,
      s.sourceIp,
      s.destinationIp,
      JSON.stringify(s.observables),
      JSON.stringify(s.raw),
    ];
    if (!out.write(`${fields.map(copyField).join('\t')}\n`)) await once(out, 'drain');
    rows += 1;
  }
  out.end();
  await once(out, 'finish');
  return rows;
}

interface Round {
  perSecond: number;
  peakRssMb: number;
  /** CPU of this (node) process and of the round's database backends, µs per input line. */
  nodeCpuUs: number;
  dbCpuUs: number | null;
}

/**
 * CPU seconds the database's backends for this store have used so far (utime + stime from
 * /proc, in clock ticks of 1/100 s); null on PGlite or where /proc cannot be read. Measurement
 * only: rates, not CPU, are the benchmark's figures, but other work shares the machine.
 */
async function backendCpuSeconds(store: {
  db: unknown;
  url: string | null;
}): Promise<number | null> {
  if (store.url === null) return null;
  const db = store.db as { execute(q: unknown): Promise<unknown> };
  const result = await db.execute(
    sql`SELECT pid FROM pg_stat_activity WHERE datname = current_database()`,
  );
  let ticks = 0;
  for (const { pid } of (result as { rows: { pid: number }[] }).rows) {
    const stat = readFileSafe(`/proc/${pid}/stat`);
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += Number(fields[11] ?? 0) + Number(fields[12] ?? 0);
  }
  return ticks / 100;
}

async function product(alertsPath: string, total: number): Promise<Round> {
  const store = await freshStore('bench-ingest');
  const adapter = adapterFor('suricata');
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 50);

  const db0 = await backendCpuSeconds(store);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const summary = await ingestRecords(store.db, adapter, fileRecords(adapter, alertsPath), {
    actor: cliActor('admin', 'bench'),
  });
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const db1 = await backendCpuSeconds(store);
  clearInterval(sampler);

  const taken = summary.accepted + summary.duplicates + summary.repeats;
  if (taken !== total || summary.repeats !== Math.floor(total / 20)) {
    throw new Error(`product took ${taken} of ${total} lines: ${JSON.stringify(summary)}`);
  }
  const stored = await store.db.execute(sql`SELECT count(*)::int AS n FROM signals`);
  const n = (stored as { rows: { n: number }[] }).rows[0]?.n;
  if (n !== total - summary.repeats) throw new Error(`product stored ${n} signals`);

  await store.close();
  return {
    perSecond: total / seconds,
    peakRssMb: peak / 2 ** 20,
    nodeCpuUs: (cpu.user + cpu.system) / total,
    dbCpuUs: db0 === null || db1 === null ? null : ((db1 - db0) * 1e6) / total,
  };
}

async function baseline(copyPath: string, rows: number, total: number): Promise<number> {
  const store = await freshStore('bench-ingest-copy');
  const statement = `COPY signals (${COPY_COLUMNS.join(', ')}) FROM STDIN`;

  const db0 = await backendCpuSeconds(store);
  const t0 = performance.now();
  if (store.url === null) {
    const client = (store.db as unknown as { $client: PgliteLike }).$client;
    const blob = new Blob([await readAll(copyPath)]);
    await client.query(`${statement.replace('STDIN', "'/dev/blob'")}`, [], { blob });
  } else {
    const pool = (store.db as unknown as { $client: pg.Pool }).$client;
    const client = await pool.connect();
    try {
      await pipeline(createReadStream(copyPath), client.query(copyFrom(statement)));
    } finally {
      client.release();
    }
  }
  const seconds = (performance.now() - t0) / 1000;

  const stored = await store.db.execute(sql`SELECT count(*)::int AS n FROM signals`);
  const n = (stored as { rows: { n: number }[] }).rows[0]?.n;
  if (n !== rows) throw new Error(`baseline stored ${n} of ${rows} rows`);
  const db1 = await backendCpuSeconds(store);
  if (db0 !== null && db1 !== null) {
    console.error(`baseline db CPU ${(((db1 - db0) * 1e6) / total).toFixed(1)} µs/alert`);
  }
  await store.close();
  // Per input line, like the product: the baseline is spared the repeats' parsing entirely.
  return total / seconds;
}

interface PgliteLike {
  query(sql: string, params: unknown[], opts: { blob: Blob }): Promise<unknown>;
}

async function readAll(path: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of createReadStream(path)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

export async function ingestBench(quick: boolean): Promise<BenchResult> {
  const onPostgres = Boolean(process.env.DATABASE_URL);
  const total = quick ? 20_000 : onPostgres ? 1_000_000 : 100_000;
  const rounds = 3;
  const dir = mkdtempSync(join(tmpdir(), 'bd-bench-ingest-'));

  try {
    const alertsPath = join(dir, 'alerts.ndjson');
    const copyPath = join(dir, 'signals.copy');
    await writeAlerts(alertsPath, total);
    const rows = await writeCopyRows(alertsPath, copyPath);
    console.error(
      `${total} alerts (${(statSync(alertsPath).size / 2 ** 20).toFixed(0)} MB), ` +
        `${rows} rows for COPY, ${onPostgres ? 'PostgreSQL' : 'PGlite'}`,
    );

    const p: number[] = [];
    const b: number[] = [];
    for (let r = 0; r < rounds; r++) {
      // Alternate which side goes first, so neither always meets a warm cache.
      const first = r % 2 === 0;
      const pr = first ? await product(alertsPath, total) : null;
      b.push(await baseline(copyPath, rows, total));
      const round = pr ?? (await product(alertsPath, total));
      p.push(round.perSecond);
      console.error(
        `round ${r + 1}: product ${p.at(-1)?.toFixed(0)} alerts/s ` +
          `(peak RSS ${round.peakRssMb.toFixed(0)} MB, CPU µs/alert: node ` +
          `${round.nodeCpuUs.toFixed(1)}, db ${round.dbCpuUs?.toFixed(1) ?? '-'}), ` +
          `baseline ${b.at(-1)?.toFixed(0)} alerts/s`,
      );
    }

    const productRate = median(p);
    const baselineRate = median(b);
    return {
      bench: 'ingest',
      unit: 'alerts/s',
      product: productRate,
      baseline: baselineRate,
      ratio: productRate / baselineRate,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The real `breachdesk ingest` command, in its own process, on a file of about 1 GB (--quick:
 * 50 MB): its peak resident memory (VmHWM, read from /proc while it runs) must stay flat.
 */
export async function ingestLargeFileBench(quick: boolean): Promise<BenchResult> {
  const total = quick ? 130_000 : 2_700_000;
  const dir = mkdtempSync(join(tmpdir(), 'bd-bench-ingest-1gb-'));
  const store = await freshStore('bench-ingest-1gb');
  try {
    const alertsPath = join(dir, 'alerts.ndjson');
    await writeAlerts(alertsPath, total);
    const size = statSync(alertsPath).size / 2 ** 20;

    const cli = fileURLToPath(new URL('../bin/breachdesk.js', import.meta.url));
    const env: NodeJS.ProcessEnv = { ...process.env, BREACHDESK_LOG_LEVEL: 'warn' };
    if (store.url !== null) env.DATABASE_URL = store.url;
    const args = [cli, 'ingest', alertsPath, '--format', 'suricata', '--json'];
    if (store.url === null) args.push('--data-dir', join(dir, 'data'));

    const t0 = performance.now();
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    let peakKb = 0;
    const sampler = setInterval(() => {
      const status = readFileSafe(`/proc/${child.pid}/status`);
      const match = /VmHWM:\s+(\d+) kB/.exec(status);
      if (match) peakKb = Math.max(peakKb, Number(match[1]));
    }, 100);
    const [code] = (await once(child, 'exit')) as [number | null];
    clearInterval(sampler);
    const seconds = (performance.now() - t0) / 1000;
    if (code !== 0) throw new Error(`breachdesk ingest exited ${code}: ${out}`);

    const summary = JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as Record<string, number>;
    const taken = (summary.accepted ?? 0) + (summary.duplicates ?? 0) + (summary.repeats ?? 0);
    if (taken !== total) throw new Error(`ingest took ${taken} of ${total} lines: ${out}`);

    const peakMb = peakKb / 1024;
    console.error(
      `${total} alerts, ${size.toFixed(0)} MB, ${(total / seconds).toFixed(0)} alerts/s: ` +
        `peak RSS of breachdesk ingest ${peakMb.toFixed(0)} MB`,
    );
    return {
      bench: 'ingest-1gb',
      unit: 'MB peak RSS',
      product: peakMb,
      baseline: size,
      ratio: peakMb / size,
    };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function readFileSafe(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
