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
