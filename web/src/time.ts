/**
 * Deadlines in words, pure so that they are tested under several host zones: the console shows
 * time left and the instant in the viewer's zone, and the exact UTC instant beside it.
 */
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
  // dateStyle cannot be combined with timeZoneName, so the fields are named one by one.
  return new Date(iso).toLocaleString(undefined, {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZoneName: 'short',
  });
}

/** Urgency class: overdue, under 12 hours, or comfortable. */
export function urgency(dueMs: number, nowMs: number): 'overdue' | 'soon' | 'ok' {
  if (dueMs < nowMs) return 'overdue';
  return dueMs - nowMs < 12 * 60 * MINUTE ? 'soon' : 'ok';
}

/** The instant in UTC, whole seconds unless it has a fraction: 2026-12-05T09:00:00Z. */
export function utcInstant(iso: string): string {
  return new Date(iso).toISOString().replace('.000Z', 'Z');
}
