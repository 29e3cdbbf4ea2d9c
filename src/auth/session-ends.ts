/**
 * News, inside this process, that a session ended here (sign-out, a password set through the
 * API), so whatever holds that session open, such as a live event stream, can stop at once
 * rather than at its next look at the database. Nothing crosses processes: a session ended by
 * the CLI or by another server on the same database is not announced here, so holders must
 * still check the database now and then.
 */

type Listener = () => void;

const listeners = new Map<string, Set<Listener>>();

/** Calls `listener` when session `sessionId` is announced ended; returns the undo. */
export function onSessionEnded(sessionId: string, listener: Listener): () => void {
  const held = listeners.get(sessionId) ?? new Set<Listener>();
  held.add(listener);
  listeners.set(sessionId, held);

  return () => {
    held.delete(listener);
    if (held.size === 0 && listeners.get(sessionId) === held) listeners.delete(sessionId);
  };
}

/** Tells the listeners of each session that it ended. Call once the ending is committed. */
export function announceSessionsEnded(sessionIds: readonly string[]): void {
  for (const id of sessionIds) {
    const held = listeners.get(id);
    listeners.delete(id);
    for (const listener of held ?? []) listener();
  }
}
