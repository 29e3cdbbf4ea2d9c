/**
 * Customer reports: the tenant admin tells the provider about something suspicious, and sees
 * the reports its organisation has filed (only that they arrived, not where triage took them).
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { api } from '../api.ts';
import { ErrorNote } from '../components/error-note.tsx';
import { PORTAL_REFRESH_MS, type Report, reportsKey } from './types.ts';
import { When } from './when.tsx';

function ReportForm() {
  const client = useQueryClient();
  const [title, setTitle] = useState('');
  const [description, setDescription] = useState('');
  const [severity, setSeverity] = useState('medium');
  const submit = useMutation({
    mutationFn: () =>
      api.post<Report>('/api/v1/reports', {
        title,
        ...(description.trim() === '' ? {} : { description }),
        severity,
      }),
    onSuccess: async () => {
      setTitle('');
      setDescription('');
      await client.invalidateQueries({ queryKey: reportsKey });
    },
  });

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    submit.mutate();
  }

  return (
    <form className="stack panel" onSubmit={onSubmit} noValidate aria-labelledby="tp-report">
      <h3 id="tp-report">Report a suspected incident</h3>
      <label htmlFor="tp-report-title">What happened, in one line</label>
      <input id="tp-report-title" value={title} onChange={(e) => setTitle(e.target.value)} />
      <label htmlFor="tp-report-description">Details (optional)</label>
      <textarea
        id="tp-report-description"
        rows={4}
        value={description}
        onChange={(e) => setDescription(e.target.value)}
      />
      <label htmlFor="tp-report-severity">How serious does it look?</label>
      <select
        id="tp-report-severity"
        value={severity}
        onChange={(e) => setSeverity(e.target.value)}
      >
        <option value="low">Low</option>
        <option value="medium">Medium</option>
        <option value="high">High</option>
      </select>
      <div className="row">
        <button type="submit" disabled={submit.isPending}>
          Submit report
        </button>
      </div>
      <div aria-live="polite">
        {submit.data && <p className="ok">Report received: “{submit.data.title}”.</p>}
      </div>
      <ErrorNote error={submit.error} />
    </form>
  );
}

export function ReportsPanel() {
  const mine = useQuery({
    queryKey: reportsKey,
    refetchInterval: PORTAL_REFRESH_MS,
    queryFn: () => api.get<Report[]>('/api/v1/reports/mine'),
  });

  return (
    <section className="stack" aria-labelledby="tp-reports">
      <h2 id="tp-reports">Your reports</h2>
      <ReportForm />
      <ErrorNote error={mine.error} />
      {mine.data?.length === 0 && <p>Your organisation has not filed a report yet.</p>}
      {mine.data && mine.data.length > 0 && (
        <ul className="tp-reports">
          {mine.data.map((r) => (
            <li key={r.id} className="panel">
              <h3>{r.title}</h3>
              {r.receivedAt && (
                <p className="muted">
                  Received <When at={r.receivedAt} />
                </p>
              )}
              {r.description && <p className="tp-report-text">{r.description}</p>}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
