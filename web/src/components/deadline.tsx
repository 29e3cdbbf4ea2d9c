/**
 * A deadline as a responder reads it: time left (or overdue) in words, the instant in the
 * viewer's own time zone, and the exact UTC instant on hover and for screen readers.
 */
import { useEffect, useState } from 'react';

const MINUTE = 60_000;

/** "2 d 4 h left", "35 min left", "overdue by 3 h". */
export function timeLeft(dueMs: number, nowMs: number): string {
  const diff = dueMs - nowMs;
  const abs = Math.abs(diff);
  const days = Math.floor(abs / (24 * 60 * MINUTE));
  const hours = Math.floor((abs % (24 * 60 * MINUTE)) / (60 * MINUTE));
  const minutes = Math.floor((abs % (60 * MINUTE)) / MINUTE);
  const span =
    days > 0 ? `${days} d ${hours} h` : hours > 0 ? `${hours} h ${minutes} min` : `${minutes} min`;
  return diff >= 0 ? `${span} left` : `overdue by ${span}`;
}

export function localTime(iso: string): string {
  return new Date(iso).toLocaleString(undefined, {
    dateStyle: 'medium',
    timeStyle: 'short',
    timeZoneName: 'short',
  });
}

function useNow(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 30_000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

/** Urgency class: overdue, under 12 hours, or comfortable. */
export function urgency(dueMs: number, nowMs: number): 'overdue' | 'soon' | 'ok' {
  if (dueMs < nowMs) return 'overdue';
  return dueMs - nowMs < 12 * 60 * MINUTE ? 'soon' : 'ok';
}

export function Deadline({ due, label }: { due: string | null; label?: string }) {
  const now = useNow();
  if (!due) return <span className="muted">no deadline</span>;

  const dueMs = new Date(due).getTime();
  const utc = new Date(due).toISOString().replace('.000Z', 'Z');
  return (
    <span className={`deadline deadline-${urgency(dueMs, now)}`} title={`${utc} (UTC)`}>
      {label ? `${label}: ` : ''}
      <strong>{timeLeft(dueMs, now)}</strong>{' '}
      <time dateTime={utc}>({localTime(due)})</time>
      <span className="visually-hidden"> — {utc} UTC</span>
    </span>
  );
}
