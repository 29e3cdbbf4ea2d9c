/** The period the dashboards cover: two UTC months, sent as from (inclusive) and to. */
import { type FormEvent, useState } from 'react';

export interface Period {
  from?: string;
  to?: string;
}

/** The month after `month` (YYYY-MM), so that "to 2026-10" includes October. */
export function monthAfter(month: string): string {
  const [y = 0, m = 1] = month.split('-').map(Number);
  const next = new Date(Date.UTC(y, m, 1));
  return next.toISOString().slice(0, 7);
}

export function PeriodForm({ onChange }: { onChange: (period: Period) => void }) {
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onChange({ from: from || undefined, to: to ? monthAfter(to) : undefined });
  };
  return (
    <form className="row period" onSubmit={submit} aria-label="Period">
      <label>
        From month (UTC)
        <input type="month" value={from} onChange={(e) => setFrom(e.target.value)} />
      </label>
      <label>
        To month, included
        <input type="month" value={to} onChange={(e) => setTo(e.target.value)} />
      </label>
      <button type="submit">Show</button>
      <span className="muted">Empty: the last twelve months.</span>
    </form>
  );
}
