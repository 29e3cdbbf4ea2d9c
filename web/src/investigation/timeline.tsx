/** The investigation's timeline: its audit entries, newest first, as the log recorded them. */
import { useQuery } from '@tanstack/react-query';
import { api } from '../api.ts';
import { localTime } from '../components/deadline.tsx';
import { ErrorNote } from '../components/error-note.tsx';

interface TimelinePage {
  entries: {
    seq: number;
    at: string;
    actor: string;
    action: string;
    about: string;
    data: unknown;
  }[];
  nextAfterSeq: number | null;
  nextBeforeSeq: number | null;
}

/** A few words from an entry's data: the facts a reader scans for, not the whole record. */
function gist(data: unknown): string {
  if (typeof data !== 'object' || data === null) return '';
  const d = data as Record<string, unknown>;
  const parts: string[] = [];
  if (typeof d.from === 'string' && typeof d.to === 'string') parts.push(`${d.from} → ${d.to}`);
  if (typeof d.reason === 'string') parts.push(d.reason);
  if (typeof d.tenantId === 'string') parts.push(`tenant ${d.tenantId}`);
  if (typeof d.audience === 'string') parts.push(d.audience);
  if (typeof d.classification === 'string') parts.push(d.classification);
  return parts.join(' · ');
}

export function Timeline({ routeId }: { routeId: string }) {
  const q = useQuery({
    queryKey: ['investigation', routeId, 'timeline'],
    queryFn: () =>
      api.get<TimelinePage>(
        `/api/v1/investigations/${encodeURIComponent(routeId)}/timeline?order=desc&limit=1000`,
      ),
  });
  const entries = q.data?.entries ?? [];

  return (
    <section className="panel" aria-labelledby="timeline-heading">
      <h2 id="timeline-heading">Timeline (audit log)</h2>
      <ErrorNote error={q.error} />
      {q.data !== undefined && q.data.nextBeforeSeq !== null && (
        <p className="muted">Showing the newest 1000 entries; the audit log holds them all.</p>
      )}
      {/* Focusable, so that a keyboard can scroll it. */}
      <ol className="timeline" tabIndex={0} aria-label="Audit entries, newest first">
        {entries.map((e) => (
          <li key={e.seq}>
            <time dateTime={e.at} title={`${e.at} (UTC)`}>
              {localTime(e.at)}
            </time>{' '}
            <strong>{e.action}</strong> <span className="muted">by {e.actor}</span>
            {gist(e.data) && (
              <span>
                {' — '}
                <bdi className="user-text">{gist(e.data)}</bdi>
              </span>
            )}
          </li>
        ))}
      </ol>
    </section>
  );
}
