/** The queue as GET /api/v1/queue answers it, and the choices its query takes. */
import { words as plainWords } from '../words.ts';
export interface QueueItem {
  id: string;
  number: number;
  ref: string;
  title: string;
  stage: string;
  severity: string;
  classification: string | null;
  exercise: boolean;
  openedAt: string;
  updatedAt: string;
  nearestDeadline: { due: string; regime: string; regimeName: string; filing: string } | null;
}

export interface QueuePage {
  items: QueueItem[];
  total: number;
  page: number;
  pageSize: number;
  sort: string;
  order: 'asc' | 'desc';
}

export const STAGES = ['detect', 'assess', 'diagnose', 'stabilize'] as const;
export const SEVERITIES = ['high', 'medium', 'low'] as const;
export const CLASSIFICATIONS = [
  'unclassified',
  'security_incident',
  'privacy_incident',
  'crsi',
  'false_positive',
  'not_security_event',
  'customer_responsibility',
] as const;
export const SORTS = [
  ['deadline', 'Nearest deadline'],
  ['severity', 'Severity'],
  ['opened', 'Opened'],
  ['updated', 'Last updated'],
] as const;

export const PAGE_SIZES = [10, 25, 50, 100] as const;
const DEFAULT_PAGE_SIZE = 25;
/** The highest page GET /api/v1/queue takes. */
const MAX_PAGE = 1_000_000;

export interface QueueFilters {
  stage: string[];
  severity: string[];
  classification: string[];
  sort: string;
  /** '' lets the server pick the most pressing first for the sort. */
  order: '' | 'asc' | 'desc';
}

export const NO_FILTERS: QueueFilters = {
  stage: [],
  severity: [],
  classification: [],
  sort: 'deadline',
  order: '',
};

/** Words for an API value: crsi → CRSI, false_positive → false positive. */
export function words(value: string): string {
  return value === 'crsi' ? 'CRSI' : plainWords(value);
}

/** The query string the server reads: repeated fields for several values of one filter. */
export function queueQuery(f: QueueFilters, page: number, pageSize: number): string {
  const q = new URLSearchParams();
  for (const key of ['stage', 'severity', 'classification'] as const) {
    for (const v of f[key]) q.append(key, v);
  }
  q.set('sort', f.sort);
  if (f.order) q.set('order', f.order);
  q.set('page', String(page));
  q.set('pageSize', String(pageSize));
  return `?${q.toString()}`;
}

/** What the queue shows: its filters and which page of which size. */
export interface QueueView {
  filters: QueueFilters;
  page: number;
  pageSize: number;
}

const oneOf = <T extends readonly string[]>(allowed: T, v: string | null): v is T[number] =>
  v !== null && allowed.includes(v);

/**
 * The view an address asks for (the same query as the server's, so a reload or a shared link
 * shows the same queue). Anything it does not know falls back to the default, never an error:
 * an old bookmark still opens the queue.
 */
export function queueView(q: URLSearchParams): QueueView {
  // Repeated or comma-separated, as the API takes them.
  const pick = (key: 'stage' | 'severity' | 'classification', allowed: readonly string[]) => [
    ...new Set(
      q
        .getAll(key)
        .flatMap((v) => v.split(','))
        .filter((v) => allowed.includes(v)),
    ),
  ];
  const sort = q.get('sort');
  const order = q.get('order');
  const page = Number(q.get('page'));
  const pageSize = Number(q.get('pageSize'));
  return {
    filters: {
      stage: pick('stage', STAGES),
      severity: pick('severity', SEVERITIES),
      classification: pick('classification', CLASSIFICATIONS),
      sort: sort !== null && SORTS.some(([v]) => v === sort) ? sort : NO_FILTERS.sort,
      order: oneOf(['asc', 'desc'] as const, order) ? order : '',
    },
    // Past the last page the queue moves itself to the last one; past the API's bound it
    // would only show a refusal.
    page: Number.isSafeInteger(page) && page >= 1 && page <= MAX_PAGE ? page : 1,
    pageSize: (PAGE_SIZES as readonly number[]).includes(pageSize) ? pageSize : DEFAULT_PAGE_SIZE,
  };
}
