/**
 * Tells listeners that something changed, and nothing about what. Every change in Breachdesk
 * is audited, so the audit log's newest sequence number moves with each one, whichever process
 * made it (the server, the CLI, a worker on the same PostgreSQL). One poller serves all
 * listeners of a server: it reads that number about once a second while anyone listens.
 */
import { desc } from 'drizzle-orm';
import type { Db } from '../store/db.ts';
import { auditLog } from '../store/schema.ts';

export type ChangeListener = (seq: number) => void;

export interface ChangeFeed {
  /** Calls `listener` with the newest sequence number after each change; returns the undo. */
  subscribe(listener: ChangeListener): () => void;
  /** Stops polling for good and forgets every listener. */
  stop(): void;
  readonly listeners: number;
}

export interface ChangeFeedOptions {
  intervalMs?: number;
  /** Told when a poll fails (the database is away); polling goes on. */
  onError?: (err: unknown) => void;
}

async function newestSeq(db: Db): Promise<number> {
  const [row] = await db
    .select({ seq: auditLog.seq })
    .from(auditLog)
    .orderBy(desc(auditLog.seq))
    .limit(1);
  return row?.seq ?? 0;
}

export function createChangeFeed(db: Db, opts: ChangeFeedOptions = {}): ChangeFeed {
  const intervalMs = opts.intervalMs ?? 1000;
  const listeners = new Set<ChangeListener>();
  let timer: NodeJS.Timeout | null = null;
  let last: number | null = null;
  let stopped = false;

  const poll = async () => {
    try {
      const seq = await newestSeq(db);
      // The first reading only sets the mark: what a listener saw on connecting is current.
      const changed = last !== null && seq !== last;
      last = seq;
      if (changed) for (const listener of [...listeners]) listener(seq);
    } catch (err) {
      opts.onError?.(err);
    }
  };

  // One poll at a time: the next is scheduled only when the last has answered.
  const schedule = () => {
    timer = setTimeout(() => {
      void poll().then(() => {
        if (timer !== null && listeners.size > 0 && !stopped) schedule();
        else timer = null;
      });
    }, intervalMs);
    timer.unref();
  };

  return {
    subscribe(listener) {
      if (stopped) return () => {};
      listeners.add(listener);
      if (timer === null) {
        // Poll now to take the mark, so a change right after connecting is not missed.
        void poll();
        schedule();
      }
      return () => {
        listeners.delete(listener);
      };
    },
    stop() {
      stopped = true;
      listeners.clear();
      if (timer !== null) clearTimeout(timer);
      timer = null;
    },
    get listeners() {
      return listeners.size;
    },
  };
}
