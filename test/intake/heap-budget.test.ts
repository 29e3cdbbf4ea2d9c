import v8 from 'node:v8';
import { describe, expect, it } from 'vitest';

import { holdHeapBudget } from '../../src/intake/heap-budget.ts';

describe('holdHeapBudget', () => {
  it('leaves a heap under its budget alone', () => {
    expect(holdHeapBudget(Number.MAX_SAFE_INTEGER)).toBe(false);
  });

  it('collects garbage once the heap in use passes the budget', () => {
    // Garbage the size of a few batches of parsed alerts, unreachable once the function returns.
    const withGarbage = (() => {
      const garbage = Array.from({ length: 200_000 }, (_, i) => ({ i, s: `x${i}` }));
      return v8.getHeapStatistics().used_heap_size + garbage.length * 0;
    })();

    expect(holdHeapBudget(0)).toBe(true);
    expect(v8.getHeapStatistics().used_heap_size).toBeLessThan(withGarbage - 5 * 2 ** 20);
  });
});
