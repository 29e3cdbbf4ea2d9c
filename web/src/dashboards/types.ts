/** The shapes of GET /api/v1/metrics/timings and GET /api/v1/metrics/false-positives. */
export interface Figure {
  count: number;
  medianSeconds: number | null;
  maxSeconds: number | null;
}

export interface NotifyFigure extends Figure {
  deadlineMedianSeconds: number | null;
  met: number;
  missed: number;
  pending: number;
}

export interface TimingGroup {
  sourceKind: string;
  month: string;
  investigations: number;
  detect: Figure;
  assess: Figure;
  declare: Figure;
  notify: NotifyFigure;
}

export interface TimingReport {
  from: string;
  to: string;
  months: string[];
  sourceKinds: string[];
  groups: TimingGroup[];
  byClassification: { classification: string; count: number }[];
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
