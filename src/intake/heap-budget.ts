/**
 * Keeps a long import's heap near its live size. V8 lets the old generation grow to several
 * times what is live before it collects; batches of parsed alerts wait on the database long
 * enough to be promoted there, so a 1 GB import peaked near 400 MB of resident memory while
 * only some 30 MB was live. Collecting once the heap passes a budget keeps the peak flat at a
 * cost of a few milliseconds per collection (bench ingest-1gb measures both).
 */
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';

const DEFAULT_BUDGET_BYTES = 64 * 2 ** 20;

let collect: (() => void) | null | undefined;

/** The engine's full collection, exposed once; null where the engine refuses. */
function collector(): (() => void) | null {
  if (collect !== undefined) return collect;
  try {
    v8.setFlagsFromString('--expose-gc');
    const gc: unknown = runInNewContext('gc');
    collect = typeof gc === 'function' ? (gc as () => void) : null;
  } catch {
    collect = null;
  }
  return collect;
}

/** Collects garbage when the heap in use is over `budget` bytes; true when it did. */
export function holdHeapBudget(budget = DEFAULT_BUDGET_BYTES): boolean {
  if (v8.getHeapStatistics().used_heap_size <= budget) return false;

  const gc = collector();
  if (gc === null) return false;
  gc();
  return true;
}
