/**
 * The responders' queue: open investigations, filtered, sorted and paged by the server (so a
 * filter holds across every page), refetched whenever the server announces a change. Filters
 * live in component state; nothing personal ever reaches the URL.
 */
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useSearchParams } from 'react-router';
import { ApiError, api } from '../api.ts';
import { ErrorNote } from '../components/error-note.tsx';
import { QueueControls } from '../queue/filters.tsx';
import { QueueTable } from '../queue/table.tsx';
import {
  PAGE_SIZES,
  type QueueFilters,
  type QueuePage,
  queueQuery,
  type QueueView,
  queueView,
  SORTS,
} from '../queue/types.ts';

function Pager(props: {
  data: QueuePage;
  /** The page asked for: while it loads, `data` still holds the one before. */
  page: number;
  onPage: (page: number) => void;
  pageSize: number;
  onPageSize: (size: number) => void;
}) {
  const { data, page, onPage, pageSize, onPageSize } = props;
  const pages = Math.max(1, Math.ceil(data.total / data.pageSize));
  return (
    <nav className="row queue-pager" aria-label="Pages">
      <button
        type="button"
        className="secondary"
        disabled={page <= 1}
        onClick={() => onPage(page - 1)}
      >
        Previous page
      </button>
      <span>
        Page {Math.min(page, pages)} of {pages}
      </span>
      <button
        type="button"
        className="secondary"
        disabled={page >= pages}
        onClick={() => onPage(page + 1)}
      >
        Next page
      </button>
      <label>
        Per page
        <select value={pageSize} onChange={(e) => onPageSize(Number(e.target.value))}>
          {PAGE_SIZES.map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </select>
      </label>
    </nav>
  );
}

export function Queue() {
  const [search, setSearch] = useSearchParams();
  // The address is the truth (a link, Back or a reload shows what it says); a change made here
  // shows at once from `pending` until the router has written it, so a checkbox changes the
  // moment it is clicked.
  const [pending, setPending] = useState<QueueView | null>(null);
  const searchText = search.toString();
  useEffect(() => setPending(null), [searchText]);
  const { filters, page, pageSize } = pending ?? queueView(search);
  const query = queueQuery(filters, page, pageSize);
  // An address with values the queue does not take is rewritten to what is shown.
  useEffect(() => {
    if (pending === null && query.slice(1) !== searchText) setSearch(query, { replace: true });
  }, [pending, query, searchText, setSearch]);
  const show = (f: QueueFilters, p: number, size: number) => {
    const next = { filters: f, page: p, pageSize: size };
    setPending(next);
    // Replaced, not pushed: Back leaves the queue rather than stepping through every filter.
    setSearch(queueQuery(f, p, size), { replace: true });
  };
  const setPage = (p: number) => show(filters, p, pageSize);
  const path = `/api/v1/queue${query}`;
  const queue = useQuery({
    queryKey: ['queue', path],
    queryFn: () => api.get<QueuePage>(path),
    placeholderData: keepPreviousData,
  });

  const data = queue.data;
  // Investigations closed elsewhere can leave this page past the end: go to the last one.
  const lastPage = data ? Math.max(1, Math.ceil(data.total / data.pageSize)) : 1;
  // Only on the answer for this very query: the previous one, still shown while this loads,
  // would move the page of an address just opened (Back, a reload) to its own last page.
  const current = data !== undefined && !queue.isPlaceholderData;
  useEffect(() => {
    if (current && data.items.length === 0 && page > lastPage) setPage(lastPage);
  }, [current, data, page, lastPage, setPage]);

  const first = data && data.total > 0 ? (data.page - 1) * data.pageSize + 1 : 0;
  const last = data ? first + data.items.length - Math.min(1, data.items.length) : 0;
  const sortLabel = SORTS.find(([v]) => v === filters.sort)?.[1] ?? filters.sort;
  const filtered =
    filters.stage.length + filters.severity.length + filters.classification.length > 0;

  // A role the queue is not for (an auditor, a tenant's admin) sees the refusal alone.
  if (queue.error instanceof ApiError && queue.error.status === 403) {
    return (
      <main id="main">
        <h1>Open investigations</h1>
        <ErrorNote error={queue.error} />
      </main>
    );
  }

  return (
    <main id="main">
      <h1>Open investigations</h1>
      <QueueControls
        filters={filters}
        onChange={(f) => show(f, 1, pageSize)}
      />
      <ErrorNote error={queue.error} />
      <p className="queue-count" aria-live="polite">
        {data === undefined
          ? 'Loading…'
          : data.total === 0
            ? ''
            : `Showing ${first}–${last} of ${data.total} open investigation${
                data.total === 1 ? '' : 's'
              }, sorted by ${sortLabel.toLowerCase()}`}
      </p>
      {data && data.total === 0 && (
        <p className="panel queue-empty">
          {filtered
            ? 'No open investigation matches these filters.'
            : 'No open investigations. New alerts appear here as they arrive.'}
        </p>
      )}
      {data && data.items.length > 0 && (
        <>
          <QueueTable
            items={data.items}
            caption={`Open investigations, sorted by ${sortLabel.toLowerCase()}`}
          />
          <Pager
            data={data}
            page={page}
            onPage={setPage}
            pageSize={pageSize}
            onPageSize={(n) => show(filters, 1, n)}
          />
        </>
      )}
    </main>
  );
}
