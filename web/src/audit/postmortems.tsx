/**
 * The post-mortems the reader may open (GET /api/v1/postmortems), and the one opened, read
 * through the audited GET /api/v1/investigations/:id/postmortem: each opening is recorded.
 */
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../api.ts';
import { ErrorNote } from '../components/error-note.tsx';
import { Instant } from './instant.tsx';

interface Listing {
  id: string;
  ref: string;
  title: string;
  stage: string;
  writtenAt: string | null;
}

interface Postmortem {
  summary: string;
  rootCause: string;
  lessons: string;
  actions: string[];
  author: string;
  completedAt: string;
}

interface Read {
  id: string;
  ref: string;
  title: string;
  postmortem: Postmortem | null;
}

function PostmortemView({ read }: { read: { data?: Read; error: unknown } }) {
  if (read.error) return <ErrorNote error={read.error} />;
  if (!read.data) return <p className="muted">Loading…</p>;

  const pm = read.data.postmortem;
  return (
    <article className="panel postmortem" aria-labelledby="pm-heading">
      <h3 id="pm-heading">
        {read.data.ref}: {read.data.title}
      </h3>
      {pm === null ? (
        <p className="muted">No post-mortem written yet.</p>
      ) : (
        <>
          <p className="muted">
            Written by {pm.author}, <Instant iso={pm.completedAt} />
          </p>
          <h4>Summary</h4>
          <p className="prose">{pm.summary}</p>
          <h4>Root cause</h4>
          <p className="prose">{pm.rootCause}</p>
          <h4>Lessons</h4>
          <p className="prose">{pm.lessons}</p>
          <h4>Actions</h4>
          <ul>
            {pm.actions.map((a, i) => (
              <li key={i}>{a}</li>
            ))}
          </ul>
        </>
      )}
    </article>
  );
}

export function Postmortems() {
  const [open, setOpen] = useState<string | null>(null);
  // Every fetch of a post-mortem is an audited read, so it is fetched once per opening (a
  // mutation), never again by a live update's refetch of what is on screen.
  const read = useMutation({
    mutationFn: (id: string) =>
      api.get<Read>(`/api/v1/investigations/${encodeURIComponent(id)}/postmortem`),
  });
  const toggle = (id: string) => {
    setOpen(open === id ? null : id);
    if (open !== id) read.mutate(id);
  };
  const list = useQuery({
    queryKey: ['postmortems'],
    queryFn: () => api.get<{ postmortems: Listing[] }>('/api/v1/postmortems'),
  });

  return (
    <section aria-labelledby="pms-heading">
      <h2 id="pms-heading">Post-mortems</h2>
      <p className="muted">Opening one is recorded in the audit log.</p>
      <ErrorNote error={list.error} />
      {list.data?.postmortems.length === 0 && <p className="muted">No post-mortem to read.</p>}
      {list.data && list.data.postmortems.length > 0 && (
        <ul className="pm-list">
          {list.data.postmortems.map((p) => (
            <li key={p.id}>
              <button
                type="button"
                className="link-button"
                aria-expanded={open === p.id}
                onClick={() => toggle(p.id)}
              >
                {p.ref}: {p.title}
              </button>{' '}
              <span className="muted">
                written <Instant iso={p.writtenAt} />
              </span>
            </li>
          ))}
        </ul>
      )}
      {open !== null && read.variables === open && (
        <PostmortemView read={{ data: read.data, error: read.error }} />
      )}
    </section>
  );
}
