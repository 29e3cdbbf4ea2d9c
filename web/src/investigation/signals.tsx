/** The signals that opened or joined the investigation, and the observables they name. */
import { useQuery } from '@tanstack/react-query';
import { api } from '../api.ts';
import { localTime } from '../components/deadline.tsx';
import { ErrorNote } from '../components/error-note.tsx';

interface SignalsView {
  total: number;
  signals: {
    id: string;
    occurredAt: string;
    title: string;
    severity: string;
    sourceKind: string;
    duplicate: boolean;
    host: string | null;
    sourceIp: string | null;
    destinationIp: string | null;
    principal: string | null;
  }[];
  observables: { kind: string; value: string; tags: string[]; signals: number }[];
}

export function Signals({ routeId }: { routeId: string }) {
  const q = useQuery({
    queryKey: ['investigation', routeId, 'signals'],
    queryFn: () =>
      api.get<SignalsView>(`/api/v1/investigations/${encodeURIComponent(routeId)}/signals`),
  });
  const data = q.data;

  return (
    <section className="panel" aria-labelledby="signals-heading">
      <h2 id="signals-heading">Signals and observables</h2>
      <ErrorNote error={q.error} />
      {data && (
        <>
          <p className="muted">
            {data.total} signal{data.total === 1 ? '' : 's'}
            {data.total > data.signals.length ? `, newest ${data.signals.length} shown` : ''}
          </p>
          <div className="table-wrap" tabIndex={0}>
            <table>
              <caption className="visually-hidden">Signals</caption>
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Signal</th>
                  <th scope="col">Source → destination</th>
                </tr>
              </thead>
              <tbody>
                {data.signals.map((s) => (
                  <tr key={s.id}>
                    <td>{localTime(s.occurredAt)}</td>
                    <td>
                      {s.title} <span className="badge">{s.severity}</span>{' '}
                      <span className="muted">
                        {s.sourceKind}
                        {s.duplicate ? ', duplicate' : ''}
                      </span>
                    </td>
                    <td>
                      {s.sourceIp ?? s.principal ?? '—'} → {s.destinationIp ?? s.host ?? '—'}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <h3>Observables</h3>
          {data.observables.length === 0 ? (
            <p className="muted">None named.</p>
          ) : (
            <ul className="observables">
              {data.observables.map((o) => (
                <li key={`${o.kind}:${o.value}`}>
                  <span className="badge">{o.kind}</span> <code>{o.value}</code>
                  {o.tags.length > 0 && <span className="muted"> ({o.tags.join(', ')})</span>}
                  {o.signals > 1 && <span className="muted"> × {o.signals}</span>}
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </section>
  );
}
