/**
 * The shape of a regime in the catalogue: who must notify whom, from which moment, within
 * what, and under which legal text. Regimes are data; src/domain/clock-calculator.ts is the
 * only code that turns them into deadlines.
 */

/** Every regime id the catalogue knows, in the order docs/regimes.md lists them. */
export const REGIME_IDS = [
  'gdpr-33-2',
  'gdpr-33-1',
  'gdpr-34',
  'uk-gdpr',
  'nis2',
  'dora',
  'hipaa',
  'sec-8k',
  'nydfs',
  'us-bank',
  'eprivacy',
  'lgpd',
  'cert-in',
] as const;
export type RegimeId = (typeof REGIME_IDS)[number];

/** The moments an investigation records that a clock can run from. */
export const MOMENTS = ['aware', 'classified', 'determined'] as const;
export type Moment = (typeof MOMENTS)[number];

/** Where a limit starts: a recorded moment, or the submission of an earlier filing. */
export type Anchor = Moment | { filing: string };

/** Holiday calendars the business-day arithmetic knows (src/domain/business-days.ts). */
export type HolidayCalendarId = 'us-federal' | 'br-national';

/**
 * How long a filing may take once its anchor has happened.
 * - `hours`: exact elapsed hours; a daylight-saving change never shortens or lengthens it.
 * - `contract-hours`: elapsed hours fixed per tenant by contract, with a default.
 * - `calendar-days`: the anchor's local date plus N days, to the end of that day.
 * - `business-days`: N business days after the anchor's local date, to `cutoff` (HH:mm local)
 *   or, without one, to the end of that day.
 * - `months`: same day of the month N months later (clamped to the month's last day), at the
 *   same wall-clock time, in the regime's zone.
 * - `undue-delay`: no date; the duty stays open until met or decided "not required".
 */
export type Window =
  | { kind: 'hours'; hours: number }
  | { kind: 'contract-hours'; defaultHours: number }
  | { kind: 'calendar-days'; days: number }
  | { kind: 'business-days'; days: number; calendar: HolidayCalendarId; cutoff?: string }
  | { kind: 'months'; months: number }
  | { kind: 'undue-delay' };

/** One limit on a filing; a filing with several limits is due at the earliest of them. */
export interface Limit {
  anchor: Anchor;
  window: Window;
}

/** A recorded decision that ends a duty without a filing (e.g. GDPR Art. 34(3)). */
export interface DecisionOption {
  id: string;
  label: string;
  source: string;
}

/** One filing a regime requires. */
export interface FilingRule {
  filing: string;
  /** Who notifies. */
  from: string;
  /** Whom. */
  to: string;
  limits: readonly [Limit, ...Limit[]];
  /** Article (and paragraph) that sets this filing's deadline. */
  source: string;
  /** A notice after the deadline must state the reasons for the delay (GDPR Art. 33(1)). */
  lateNeedsReasons?: boolean;
  /**
   * Updated reports of this filing may follow the first one (DORA's updated intermediate
   * reports). The first decides whether the filing was on time; a filing chained on this one
   * runs from the latest report.
   */
  updatable?: true;
  /** When the duty arises at all, if not always. */
  condition?: string;
  decisionOptions?: readonly DecisionOption[];
}

/** A versioned catalogue entry. A change in the law is a new version, never an edit. */
export interface Regime {
  id: RegimeId;
  version: number;
  /** When this entry was last checked against the legal text (YYYY-MM-DD). */
  reviewedOn: string;
  title: string;
  /** The instrument(s), with their numbers and dates. */
  law: string;
  /** The date from which these deadlines apply (YYYY-MM-DD). */
  inForceFrom: string;
  /** IANA zone for dates, days and months. */
  zone: string;
  /**
   * True when the law fixes the zone (EDGAR runs on Eastern time, ANPD on Brasília time);
   * false when it depends on the competent authority, so that the caller's zone is used.
   */
  zoneFixed: boolean;
  /** What each moment this regime uses means under it. */
  moments: Partial<Record<Moment, string>>;
  /** Filings in dependency order: a chained filing comes after the filing it runs from. */
  filings: readonly FilingRule[];
}

/** Shorthand for the common single-limit filing. */
export function within(anchor: Anchor, window: Window): readonly [Limit] {
  return [{ anchor, window }];
}
