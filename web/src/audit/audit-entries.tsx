/**
 * The audit log, newest first, a page at a time (GET /api/v1/audit/entries). Older pages are
 * reached by the last seq of the page shown, so entries written meanwhile never shift them.
 */
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, query } from '../api.ts';
import { ErrorNote } from '../components/error-note.tsx';
import { ScrollRegion } from '../dashboards/scroll-region.tsx';
import { Instant } from './instant.tsx';

interface Entry {
  seq: number;
  at: string;
  actor: string;
  action: string;
  entityType: string;
  entityId: string;
  data: string;
}

interface Page {
  entries: Entry[];
  nextBefore: number | null;
}

const PAGE_SIZE = 25;

export function AuditEntries() {
  // The `before` of each page shown so far; the last one is the page on screen.
  const [cursors, setCursors] = useState<(number | undefined)[]>([undefined]);
  const before = cursors.at(-1);
  const page = useQuery({
    queryKey: ['audit-entries', before],
    queryFn: () => api.get<Page>(`/api/v1/audit/entries${query({ before, limit: PAGE_SIZE })}`),
    // The page stays on screen while the next loads, so the pressed button is never disabled
    // under the keyboard's focus; presses meanwhile are ignored.
    placeholderData: keepPreviousData,
  });
  const loading = page.isPlaceholderData;

  const next = page.data?.nextBefore ?? null;
  return (
    <section aria-labelledby="log-heading">
      <h2 id="log-heading">Audit log</h2>
      <ErrorNote error={page.error} />
      {page.isPending && <p className="muted">Loading entries…</p>}
      {page.data && (
        <ScrollRegion label="Audit entries, table">
          <table className="audit-table">
            <caption className="visually-hidden">
              Audit entries, newest first; times in your time zone, UTC on hover
            </caption>
            <thead>
              <tr>
                <th scope="col">Seq</th>
                <th scope="col">Time</th>
                <th scope="col">Actor</th>
                <th scope="col">Action</th>
                <th scope="col">Entity</th>
              </tr>
            </thead>
            <tbody>
              {page.data.entries.map((e) => (
                <tr key={e.seq}>
                  <td>{e.seq}</td>
                  <td>
                    <Instant iso={e.at} />
                  </td>
                  <td className="wrap">{e.actor}</td>
                  <td>
                    <code>{e.action}</code>
                  </td>
                  <td className="wrap">
                    {e.entityType} <span className="muted">{e.entityId}</span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollRegion>
      )}
      <nav className="row pager" aria-label="Audit log pages">
        <button
          type="button"
          className="secondary"
          disabled={cursors.length <= 1}
          onClick={() => !loading && setCursors(cursors.slice(0, -1))}
        >
          Newer entries
        </button>
        <button
          type="button"
          className="secondary"
          disabled={next === null}
          onClick={() => !loading && next !== null && setCursors([...cursors, next])}
        >
          Older entries
        </button>
      </nav>
    </section>
  );
}
