/** The shapes of GET /api/v1/metrics/timings and GET /api/v1/metrics/false-positives. */
import type { TimingReport as DomainTimingReport } from '../../../src/domain/timings.ts';

export type { Figure, NotifyFigure, TimingGroup } from '../../../src/domain/timings.ts';

/** The route's answer: the domain's report with the period it covers. */
export interface TimingReport extends DomainTimingReport {
  from: string;
  to: string;
}

export interface FalsePositiveReport {
  bySourceKind: {
    sourceKind: string;
    opened: number;
    classified: number;
    falsePositives: number;
    rate: number;
    suppressedSignals: number;
  }[];
}

export type Measure = 'detect' | 'assess' | 'declare';
