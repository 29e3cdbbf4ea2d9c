/**
 * Scoping: which tenants the latest run found affected (a table), their records over time (a
 * chart of distinct events per hour, day or week, as the server bucketed them), and a form to
 * run scoping on the server's log folders.
 */
import { type FormEvent, useState } from 'react';
import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { api } from '../api.ts';
import { localTime } from '../components/deadline.tsx';
import { ErrorNote } from '../components/error-note.tsx';
import type { AffectedTenant, InvestigationDetail } from './types.ts';
import { useChange } from './use-change.ts';

// Distinguishable in both themes (each passes 3:1 against the light and the dark panel).
const COLOURS = ['#1a73e8', '#d93025', '#188038', '#e37400', '#9334e6', '#007b83'];

const lines = (s: string) =>
  s
    .split(/[\n,]/)
    .map((x) => x.trim())
    .filter((x) => x !== '');

const BUCKET_WORDS = { hour: 'hour', day: 'day', week: 'week (from Monday)' } as const;

function bucketLabel(iso: string, bucket: keyof typeof BUCKET_WORDS): string {
  // Buckets are UTC; labelled in UTC so that a bar is never shown under the wrong day.
  const d = new Date(iso);
  const day = d.toISOString().slice(0, 10);
  return bucket === 'hour' ? `${day} ${d.toISOString().slice(11, 16)} UTC` : day;
}

function RecordsChart({ tenants }: { tenants: AffectedTenant[] }) {
  const withActivity = tenants.filter((t) => t.activity !== null);
  const first = withActivity[0]?.activity;
  if (!first) {
    return (
      <p className="muted">
        This run was stored before Breachdesk kept records over time; run scoping again to see the
        chart.
      </p>
    );
  }

  // One row per bucket start, one column per tenant (a tenant with no events there has none).
  const rows = new Map<string, Record<string, number | string>>();
  for (const t of withActivity) {
    for (const c of t.activity?.counts ?? []) {
      const row = rows.get(c.at) ?? { at: c.at };
      row[t.tenantId] = c.events;
      rows.set(c.at, row);
    }
  }
  const data = [...rows.values()].sort((a, b) => String(a.at).localeCompare(String(b.at)));
  const label = (iso: unknown) => bucketLabel(String(iso), first.bucket);
  const summary = withActivity
    .map((t) => `${t.tenantId}: ${t.events} records over ${t.activity?.counts.length} buckets`)
    .join('; ');

  return (
    <figure className="chart">
      <div role="img" aria-label={`Records per tenant per ${first.bucket}. ${summary}`}>
        <ResponsiveContainer width="100%" height={260}>
          <BarChart data={data} margin={{ top: 10, right: 20, bottom: 10, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="at" tickFormatter={label} />
            <YAxis allowDecimals={false} />
            <Tooltip labelFormatter={label} />
            <Legend />
            {withActivity.map((t, i) => (
              <Bar
                key={t.tenantId}
                dataKey={t.tenantId}
                name={t.tenantId}
                fill={COLOURS[i % COLOURS.length]}
                isAnimationActive={false}
              />
            ))}
          </BarChart>
        </ResponsiveContainer>
      </div>
      <figcaption className="muted">
        Records (distinct access events) per tenant per {BUCKET_WORDS[first.bucket]}, UTC.
      </figcaption>
    </figure>
  );
}

function RunScoping({ routeId }: { routeId: string }) {
  const [paths, setPaths] = useState('');
  const [format, setFormat] = useState('cloudtrail');
  const [principals, setPrincipals] = useState('');
  const [sourceIps, setSourceIps] = useState('');
  const run = useChange(routeId, () =>
    api.post(`/api/v1/investigations/${encodeURIComponent(routeId)}/scoping`, {
      paths: lines(paths),
      format,
      indicators: {
        principals: lines(principals),
        sourceIps: lines(sourceIps),
        from: null,
        to: null,
      },
    }),
  );

  function submit(e: FormEvent) {
    e.preventDefault();
    run.mutate(undefined);
  }

  return (
    <details>
      <summary>Run scoping</summary>
      <form className="stack" onSubmit={submit} aria-label="Run scoping">
        <label>
          Log files on the server (one path or pattern a line)
          <textarea rows={2} value={paths} onChange={(e) => setPaths(e.target.value)} />
        </label>
        <label>
          Log format
          <select value={format} onChange={(e) => setFormat(e.target.value)}>
            <option value="cloudtrail">CloudTrail</option>
            <option value="ndjson">NDJSON data-access log</option>
          </select>
        </label>
        <label>
          Attacker principals (one a line)
          <textarea rows={2} value={principals} onChange={(e) => setPrincipals(e.target.value)} />
        </label>
        <label>
          Attacker source IPs or ranges (one a line)
          <textarea rows={2} value={sourceIps} onChange={(e) => setSourceIps(e.target.value)} />
        </label>
        <div>
          <button type="submit" disabled={run.isPending}>
            {run.isPending ? 'Scoping…' : 'Run scoping'}
          </button>
        </div>
        <ErrorNote error={run.error} />
      </form>
    </details>
  );
}

export function Scoping(props: { inv: InvestigationDetail; routeId: string; mayScope: boolean }) {
  const { tenants } = props.inv.scoping;
  return (
    <section className="panel" aria-labelledby="scoping-heading">
      <h2 id="scoping-heading">Scoping</h2>
      {props.inv.scoping.runId === null ? (
        <p className="muted">Not scoped yet.</p>
      ) : tenants.length === 0 ? (
        <p>The latest scoping run found no affected tenant.</p>
      ) : (
        <>
          <div className="table-wrap" tabIndex={0}>
            <table>
              <caption className="visually-hidden">Affected tenants</caption>
              <thead>
                <tr>
                  <th scope="col">Tenant</th>
                  <th scope="col">Records</th>
                  <th scope="col">Objects</th>
                  <th scope="col">Resources</th>
                  <th scope="col">Subjects</th>
                  <th scope="col">First / last access</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {tenants.map((t) => (
                  <tr key={t.tenantId}>
                    <td>
                      {t.tenantName} <span className="muted">({t.tenantId})</span>
                    </td>
                    <td>{t.events}</td>
                    <td>{t.objects}</td>
                    <td>{t.resources}</td>
                    <td>{t.subjects ?? <span className="muted">not in this log</span>}</td>
                    <td>
                      {localTime(t.firstAccess)} – {localTime(t.lastAccess)}
                    </td>
                    <td>{t.actions.join(', ')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <RecordsChart tenants={tenants} />
        </>
      )}
      {props.mayScope && props.inv.stage !== 'close' && <RunScoping routeId={props.routeId} />}
    </section>
  );
}
