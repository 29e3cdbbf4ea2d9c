/**
 * Takes chain anchors from a long-running process (`serve`): one at start, one every interval
 * and one on the way out, so that the head at shutdown is anchored too. A failed or refused
 * anchor is logged and tried again at the next interval.
 */
import type { Logger } from 'pino';
import type { Db } from '../store/db.ts';
import { takeAnchor } from './anchoring.ts';

export interface AnchorTimerOptions {
  file: string;
  /** 0 takes no anchors at all. */
  everyMs: number;
  log: Logger;
}

/** Starts the timer; the function it returns takes a last anchor and stops. */
export function startAnchorTimer(db: Db, opts: AnchorTimerOptions): () => Promise<void> {
  if (opts.everyMs <= 0) return async () => {};

  // Passes run one after another, never overlapping, whatever the interval.
  let running = Promise.resolve();
  const pass = () => {
    running = running.then(() => anchorPass(db, opts));
  };
  pass();
  const timer = setInterval(pass, opts.everyMs);

  return async () => {
    clearInterval(timer);
    pass();
    await running;
  };
}

async function anchorPass(db: Db, { file, log }: AnchorTimerOptions): Promise<void> {
  try {
    const outcome = await takeAnchor(db, file, new Date());
    if (outcome.status === 'refused') {
      const { brokenAt, reason } = outcome.verdict;
      log.error({ category: 'audit', file, brokenAt, reason }, 'audit chain not anchored');
    } else if (outcome.status === 'written') {
      log.info({ category: 'audit', file, ...outcome.anchor }, 'audit chain anchored');
    }
  } catch (err) {
    log.error({ category: 'audit', err, file }, 'audit anchor failed; retrying next interval');
  }
}
