/** The queue's view read back from its address: what a reload or a shared link shows. */
import { describe, expect, it } from 'vitest';
import {
  NO_FILTERS,
  type QueueFilters,
  queueQuery,
  queueView,
} from '../../web/src/queue/types.ts';

const view = (query: string) => queueView(new URLSearchParams(query));

describe('queue view in the address', () => {
  it('reads back exactly what it wrote', () => {
    const filters: QueueFilters = {
      stage: ['assess', 'stabilize'],
      severity: ['high'],
      classification: ['crsi', 'unclassified'],
      sort: 'updated',
      order: 'asc',
    };
    expect(view(queueQuery(filters, 3, 50))).toEqual({ filters, page: 3, pageSize: 50 });
    expect(view(queueQuery(NO_FILTERS, 1, 25))).toEqual({
      filters: NO_FILTERS,
      page: 1,
      pageSize: 25,
    });
  });

  it('opens the default queue for an empty address', () => {
    expect(view('')).toEqual({ filters: NO_FILTERS, page: 1, pageSize: 25 });
  });

  it('drops values it does not know and repeats, keeping the ones it does', () => {
    const got = view(
      'stage=assess&stage=close&stage=assess&severity=HIGH&severity=low' +
        '&classification=__proto__&sort=name&order=up&extra=1',
    );
    expect(got.filters).toEqual({ ...NO_FILTERS, stage: ['assess'], severity: ['low'] });
  });

  it('takes several values comma-separated, as the API does', () => {
    expect(view('stage=assess,detect&severity=high,,bogus').filters).toEqual({
      ...NO_FILTERS,
      stage: ['assess', 'detect'],
      severity: ['high'],
    });
  });

  it.each([
    ['0', 1],
    ['-2', 1],
    ['2.5', 1],
    ['1e3', 1_000],
    ['x', 1],
    ['1000000', 1_000_000],
    ['1000001', 1],
    ['99999999999999999999', 1],
  ])('takes page=%s as page %i', (raw, want) => {
    expect(view(`page=${raw}`).page).toBe(want);
  });

  it.each([
    ['10', 10],
    ['100', 100],
    ['7', 25],
    ['1000', 25],
    ['', 25],
  ])('takes pageSize=%s as %i a page', (raw, want) => {
    expect(view(`pageSize=${raw}`).pageSize).toBe(want);
  });
});
