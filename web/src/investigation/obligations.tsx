/** The obligations (notification clocks) of the investigation with their deadlines. */
import { Deadline, localTime } from '../components/deadline.tsx';
import type { Clock } from './types.ts';
import { words } from '../words.ts';

export function Obligations({ clocks }: { clocks: Clock[] }) {
  return (
    <section className="panel" aria-labelledby="obligations-heading">
      <h2 id="obligations-heading">Deadlines</h2>
      {clocks.length === 0 ? (
        <p className="muted">No obligation is running.</p>
      ) : (
        <div className="table-wrap" tabIndex={0}>
          <table>
            <thead>
              <tr>
                <th scope="col">Obligation</th>
                <th scope="col">Tenant</th>
                <th scope="col">Status</th>
                <th scope="col">Deadline</th>
              </tr>
            </thead>
            <tbody>
              {clocks.map((c) => (
                <tr key={c.id}>
                  <td>
                    {c.regime} <span className="muted">{words(c.filing)}</span>
                  </td>
                  <td>{c.tenantId ?? '—'}</td>
                  <td>
                    {words(c.status)}
                    {c.isLate && <strong className="error"> late</strong>}
                  </td>
                  <td>
                    {c.status === 'met' || c.status === 'not_required' ? (
                      <span className="muted">
                        {c.metAt ? `met ${localTime(c.metAt)}` : 'decided'}
                      </span>
                    ) : (
                      <Deadline due={c.due} />
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
