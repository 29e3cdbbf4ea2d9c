/**
 * Severity and priority from the three factors of NIST SP 800-61 Rev. 2 §3.2.6 (functional
 * impact, information impact, recoverability) plus the risk to customer data. The points and
 * bands live in a matrix that a deployment can replace; docs/rating.md explains the default.
 */
import { fail } from './errors.ts';
import { SEVERITIES } from './types.ts';
import type { Severity } from './types.ts';

export const FUNCTIONAL_IMPACTS = ['none', 'low', 'medium', 'high'] as const;
export type FunctionalImpact = (typeof FUNCTIONAL_IMPACTS)[number];

export const INFORMATION_IMPACTS = ['none', 'privacy', 'proprietary', 'integrity'] as const;
export type InformationImpact = (typeof INFORMATION_IMPACTS)[number];

export const RECOVERABILITIES = ['regular', 'supplemented', 'extended', 'not_recoverable'] as const;
export type Recoverability = (typeof RECOVERABILITIES)[number];

export const CUSTOMER_DATA_RISKS = ['none', 'imminent', 'confirmed'] as const;
export type CustomerDataRisk = (typeof CUSTOMER_DATA_RISKS)[number];

export const PRIORITIES = ['P1', 'P2', 'P3', 'P4'] as const;
export type Priority = (typeof PRIORITIES)[number];

/** What a responder records when rating an investigation. */
export interface RatingInput {
  functionalImpact: FunctionalImpact;
  /** Several may hold at once; 'none' stands alone. */
  informationImpact: InformationImpact[];
  recoverability: Recoverability;
  customerDataRisk: CustomerDataRisk;
}

/** The input with what the matrix made of it. */
export interface Rating extends RatingInput {
  severity: Severity;
  priority: Priority;
  /** True when risk to customer data overrode the score (always high, P1). */
  forcedHigh: boolean;
  score: number;
}

/** A score band: every score at or above `minScore` (and below the band above) maps here. */
export interface RatingBand {
  minScore: number;
  severity: Severity;
  priority: Priority;
}

/** Points per factor value; information impacts are summed, then capped. */
export interface RatingMatrix {
  functionalImpact: Readonly<Record<FunctionalImpact, number>>;
  informationImpact: Readonly<Record<InformationImpact, number>>;
  informationImpactCap: number;
  recoverability: Readonly<Record<Recoverability, number>>;
  /** Ordered from the highest `minScore` down; the last band starts at 0. */
  bands: readonly RatingBand[];
}

/** The default matrix, documented in docs/rating.md. */
export const DEFAULT_MATRIX: RatingMatrix = deepFreeze({
  functionalImpact: { none: 0, low: 1, medium: 3, high: 5 },
  informationImpact: { none: 0, privacy: 4, proprietary: 3, integrity: 3 },
  informationImpactCap: 6,
  recoverability: { regular: 0, supplemented: 1, extended: 3, not_recoverable: 5 },
  bands: [
    { minScore: 9, severity: 'high', priority: 'P1' },
    { minScore: 5, severity: 'high', priority: 'P2' },
    { minScore: 3, severity: 'medium', priority: 'P3' },
    { minScore: 0, severity: 'low', priority: 'P4' },
  ],
});

/**
 * Validates a rating and scores it with `matrix`. Throws BD_RATING_INVALID naming the first bad
 * field. Imminent or confirmed risk to customer data is always high severity and P1.
 */
export function rate(input: unknown, matrix: RatingMatrix = DEFAULT_MATRIX): Rating {
  const rating = readRatingInput(input);

  const information = rating.informationImpact.reduce(
    (sum, impact) => sum + matrix.informationImpact[impact],
    0,
  );
  const score =
    matrix.functionalImpact[rating.functionalImpact] +
    Math.min(information, matrix.informationImpactCap) +
    matrix.recoverability[rating.recoverability];

  // DESIGN.md §1.3: risk to customer data is worked 24×7 whatever the other factors say.
  if (rating.customerDataRisk !== 'none') {
    return { ...rating, severity: 'high', priority: 'P1', forcedHigh: true, score };
  }

  const band = matrix.bands.find((candidate) => score >= candidate.minScore);
  if (band === undefined) {
    fail('BD_CONFIG_INVALID', `rating matrix has no band for score ${score}`, 'bands');
  }
  return { ...rating, severity: band.severity, priority: band.priority, forcedHigh: false, score };
}

/** Checks a matrix from configuration; throws BD_CONFIG_INVALID naming the bad entry. */
export function validateMatrix(input: unknown): RatingMatrix {
  const matrix = asRecord(input, 'matrix', 'BD_CONFIG_INVALID');

  return deepFreeze({
    functionalImpact: readPointTable(
      matrix.functionalImpact,
      'functionalImpact',
      FUNCTIONAL_IMPACTS,
    ),
    informationImpact: readPointTable(
      matrix.informationImpact,
      'informationImpact',
      INFORMATION_IMPACTS,
    ),
    informationImpactCap: readPoints(matrix.informationImpactCap, 'informationImpactCap'),
    recoverability: readPointTable(matrix.recoverability, 'recoverability', RECOVERABILITIES),
    bands: readBands(matrix.bands),
  });
}

function readRatingInput(input: unknown): RatingInput {
  const record = asRecord(input, 'rating', 'BD_RATING_INVALID');

  const functionalImpact = oneOf(record.functionalImpact, 'functionalImpact', FUNCTIONAL_IMPACTS);
  const informationImpact = readInformationImpact(record.informationImpact);
  const recoverability = oneOf(record.recoverability, 'recoverability', RECOVERABILITIES);
  const customerDataRisk = oneOf(record.customerDataRisk, 'customerDataRisk', CUSTOMER_DATA_RISKS);
  return { functionalImpact, informationImpact, recoverability, customerDataRisk };
}

function readInformationImpact(value: unknown): InformationImpact[] {
  if (!Array.isArray(value) || value.length === 0) {
    fail(
      'BD_RATING_INVALID',
      `informationImpact must be a non-empty array of ${INFORMATION_IMPACTS.join(', ')}`,
      'informationImpact',
    );
  }

  const impacts = value.map((item: unknown, i) =>
    oneOf(item, `informationImpact[${i}]`, INFORMATION_IMPACTS),
  );
  impacts.forEach((impact, i) => {
    if (impacts.indexOf(impact) !== i) {
      fail('BD_RATING_INVALID', `${impact} is listed twice`, `informationImpact[${i}]`);
    }
  });

  // NIST SP 800-61 Rev. 2 §3.2.6: "none" means no information was affected, so it stands alone.
  if (impacts.length > 1 && impacts.includes('none')) {
    fail(
      'BD_RATING_INVALID',
      'informationImpact cannot combine none with privacy, proprietary or integrity',
      'informationImpact',
    );
  }
  return impacts;
}

function readBands(value: unknown): RatingBand[] {
  if (!Array.isArray(value) || value.length === 0) {
    fail('BD_CONFIG_INVALID', 'bands must be a non-empty array', 'bands');
  }

  const bands = value.map((item: unknown, i): RatingBand => {
    const band = asRecord(item, `bands[${i}]`, 'BD_CONFIG_INVALID');
    return {
      minScore: readPoints(band.minScore, `bands[${i}].minScore`),
      severity: oneOf(band.severity, `bands[${i}].severity`, SEVERITIES, 'BD_CONFIG_INVALID'),
      priority: oneOf(band.priority, `bands[${i}].priority`, PRIORITIES, 'BD_CONFIG_INVALID'),
    };
  });

  // The first band whose minimum a score reaches wins, so minimums must fall and end at 0.
  bands.forEach((band, i) => {
    const above = bands[i - 1];
    if (above !== undefined && band.minScore >= above.minScore) {
      fail('BD_CONFIG_INVALID', 'band minScore must decrease', `bands[${i}].minScore`);
    }
  });
  if (bands[bands.length - 1]?.minScore !== 0) {
    fail('BD_CONFIG_INVALID', 'the last band must have minScore 0', `bands[${bands.length - 1}]`);
  }
  return bands;
}

function readPointTable<K extends string>(
  value: unknown,
  name: string,
  keys: readonly K[],
): Record<K, number> {
  const table = asRecord(value, name, 'BD_CONFIG_INVALID');
  const entries = keys.map((key) => [key, readPoints(table[key], `${name}.${key}`)] as const);
  return Object.fromEntries(entries) as Record<K, number>;
}

function readPoints(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    fail('BD_CONFIG_INVALID', `${field} must be a number of points, 0 or more`, field);
  }
  return value;
}

function oneOf<T extends string>(
  value: unknown,
  field: string,
  accepted: readonly T[],
  code: 'BD_RATING_INVALID' | 'BD_CONFIG_INVALID' = 'BD_RATING_INVALID',
): T {
  if (typeof value !== 'string' || !(accepted as readonly string[]).includes(value)) {
    fail(code, `${field} must be one of ${accepted.join(', ')}`, field);
  }
  return value as T;
}

function asRecord(
  value: unknown,
  field: string,
  code: 'BD_RATING_INVALID' | 'BD_CONFIG_INVALID',
): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail(code, `${field} must be an object`, field);
  }
  return value as Record<string, unknown>;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}
