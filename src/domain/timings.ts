/**
 * Response timings for dashboards, as pure functions over the instants stored per
 * investigation: time to detect (first signal observed → investigation opened), to assess
 * (opened → first rating), to declare (opened → CRSI declaration), and to notify (awareness →
 * the tenant's controller notified), each per source kind and per UTC month of opening, with
 * median and maximum; notification also counted against its deadline (met, missed, pending).
 */

/** The instants of one investigation (ISO 8601, UTC); null where the step has not happened. */
export interface InvestigationInstants {
  sourceKind: string;
  classification: string | null;
  firstSignalAt: string;
  openedAt: string;
  firstRatedAt: string | null;
  declaredAt: string | null;
  /** One per tenant the investigation must notify as processor (GDPR Art. 33(2)). */
  notifications: NotificationInstants[];
}

/** One controller-notification duty: from awareness, met when a breach contact was reached. */
export interface NotificationInstants {
  startsAt: string | null;
  due: string | null;
  metAt: string | null;
  /** Decided not required: neither met nor missed, and left out. */
  notRequired: boolean;
}

/** Median and maximum of one measure over a group, in seconds; null when there is none. */
export interface Figure {
  count: number;
  medianSeconds: number | null;
  maxSeconds: number | null;
}

export interface NotifyFigure extends Figure {
  /** Median length of the deadlines (awareness → due), in seconds. */
  deadlineMedianSeconds: number | null;
  /** Notified by the due instant; notified after it, or not notified and it has passed. */
  met: number;
  missed: number;
  /** Not yet notified and the deadline (if any) not yet passed. */
  pending: number;
}

export interface TimingGroup {
  sourceKind: string;
  /** UTC month of opening, YYYY-MM. */
  month: string;
  investigations: number;
  detect: Figure;
  assess: Figure;
  declare: Figure;
  notify: NotifyFigure;
}

export interface TimingReport {
  /** Months (YYYY-MM) that have at least one investigation, oldest first. */
  months: string[];
  sourceKinds: string[];
  /** One per source kind and month that has investigations, by source kind then month. */
  groups: TimingGroup[];
  /** Investigations per classification ('unclassified' for none yet), by count then name. */
  byClassification: { classification: string; count: number }[];
}

/** The UTC month of an instant, YYYY-MM. */
export function monthOf(instant: string): string {
  return new Date(instant).toISOString().slice(0, 7);
}

/** The middle value (the mean of the two middle ones for an even count); null for none. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const upper = sorted[mid] as number;
  return sorted.length % 2 === 1 ? upper : ((sorted[mid - 1] as number) + upper) / 2;
}

/** Seconds from one instant to the next. A sensor clock ahead of ours reads as 0, not less. */
function secondsBetween(from: string, to: string): number {
  return Math.max(0, (Date.parse(to) - Date.parse(from)) / 1000);
}

function figure(values: number[]): Figure {
  return {
    count: values.length,
    medianSeconds: median(values),
    maxSeconds: values.length === 0 ? null : Math.max(...values),
  };
}

function notifyFigure(items: NotificationInstants[], now: Date): NotifyFigure {
  const taken: number[] = [];
  const deadlines: number[] = [];
  let met = 0;
  let missed = 0;
  let pending = 0;

  for (const n of items) {
    if (n.notRequired || n.startsAt === null) continue;
    if (n.metAt !== null) taken.push(secondsBetween(n.startsAt, n.metAt));
    if (n.due !== null) deadlines.push(secondsBetween(n.startsAt, n.due));

    const due = n.due === null ? null : Date.parse(n.due);
    if (n.metAt !== null) {
      if (due === null || Date.parse(n.metAt) <= due) met += 1;
      else missed += 1;
    } else if (due !== null && now.getTime() > due) {
      missed += 1;
    } else {
      pending += 1;
    }
  }

  return { ...figure(taken), deadlineMedianSeconds: median(deadlines), met, missed, pending };
}

function group(sourceKind: string, month: string, rows: InvestigationInstants[], now: Date) {
  const detect = rows.map((r) => secondsBetween(r.firstSignalAt, r.openedAt));
  const assess = rows.flatMap((r) =>
    r.firstRatedAt === null ? [] : [secondsBetween(r.openedAt, r.firstRatedAt)],
  );
  const declare = rows.flatMap((r) =>
    r.declaredAt === null ? [] : [secondsBetween(r.openedAt, r.declaredAt)],
  );

  return {
    sourceKind,
    month,
    investigations: rows.length,
    detect: figure(detect),
    assess: figure(assess),
    declare: figure(declare),
    notify: notifyFigure(
      rows.flatMap((r) => r.notifications),
      now,
    ),
  };
}

/** Groups the investigations by source kind and UTC month of opening, and counts them. */
export function aggregateTimings(rows: readonly InvestigationInstants[], now: Date): TimingReport {
  const buckets = new Map<string, InvestigationInstants[]>();
  const classes = new Map<string, number>();
  for (const r of rows) {
    const key = `${r.sourceKind}\u0000${monthOf(r.openedAt)}`;
    buckets.set(key, [...(buckets.get(key) ?? []), r]);
    const c = r.classification ?? 'unclassified';
    classes.set(c, (classes.get(c) ?? 0) + 1);
  }

  const groups = [...buckets.entries()]
    .map(([key, list]) => {
      const [sourceKind = '', month = ''] = key.split('\u0000');
      return group(sourceKind, month, list, now);
    })
    .sort((a, b) => a.sourceKind.localeCompare(b.sourceKind) || a.month.localeCompare(b.month));
  const byClassification = [...classes.entries()]
    .map(([classification, count]) => ({ classification, count }))
    .sort((a, b) => b.count - a.count || a.classification.localeCompare(b.classification));

  return {
    months: [...new Set(groups.map((g) => g.month))].sort(),
    sourceKinds: [...new Set(groups.map((g) => g.sourceKind))].sort(),
    groups,
    byClassification,
  };
}
