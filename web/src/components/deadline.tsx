/**
 * A deadline as a responder reads it: time left (or overdue) in words, the instant in the
 * viewer's own time zone, and the exact UTC instant on hover and for screen readers.
 */
import { useEffect, useState } from 'react';
import { localTime, timeLeft, urgency, utcInstant } from '../time.ts';

export { localTime, timeLeft, urgency };

function useNow(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 30_000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

export function Deadline({ due, label }: { due: string | null; label?: string }) {
  const now = useNow();
  if (!due) return <span className="muted">no deadline</span>;

  const dueMs = new Date(due).getTime();
  const utc = utcInstant(due);
  return (
    <span className={`deadline deadline-${urgency(dueMs, now)}`} title={`${utc} (UTC)`}>
      {label ? `${label}: ` : ''}
      <strong>{timeLeft(dueMs, now)}</strong> <time dateTime={utc}>({localTime(due)})</time>
      <span className="visually-hidden"> — {utc} UTC</span>
    </span>
  );
}
