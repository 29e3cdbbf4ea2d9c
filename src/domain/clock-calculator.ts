/**
 * The deadline calculator: turns a regime from the catalogue and the moments an investigation
 * has recorded into one due instant per filing. Pure: no clock, no I/O; the same input always
 * gives the same output, whatever the process time zone.
 *
 * `due` is the last instant that is still on time. Hour windows are exact elapsed time; day,
 * business-day and month windows are counted on the regime's local calendar and end at the
 * end of the last local day (or at the regime's cut-off time). docs/regimes.md has the rules.
 */
import { IANAZone } from 'luxon';

import {
  addBusinessDays,
  addCalendarDays,
  addMonthsAtWallTime,
  endOfLocalDay,
  instantAtWallTime,
  localDate,
} from './business-days.ts';
import { parseInstant } from './deadlines.ts';
import { fail } from './errors.ts';
import {
  type Anchor,
  type DecisionOption,
  type FilingRule,
  getRegime,
  type Limit,
  type Moment,
  MOMENTS,
  type Regime,
  type RegimeId,
  type Window,
} from './regimes/index.ts';

/** The recorded moments; instants are ISO 8601, with an offset or read in `opts.zone`. */
export interface ClockMoments {
  aware?: string;
  classified?: string;
  determined?: string;
  /** Actual submission instants of filings, by filing name, for the filings chained on them. */
  filings?: Record<string, string>;
}

export interface ClockOptions {
  /** IANA zone for instants without offset; also the calendar zone of regimes not fixed by law. */
  zone?: string;
  /** Hours a tenant's contract allows for GDPR Art. 33(2) (default 24). */
  contractHours?: number;
}

/** One filing's deadline. `due` and `dueDate` are null when the filing has no date yet. */
export interface ComputedFiling {
  filing: string;
  /** Last instant still on time, UTC ISO 8601 with Z. */
  due: string | null;
  /** The calendar date of `due` in the result's `zone`. */
  dueDate: string | null;
  /** 'aware' | 'classified' | 'determined' | 'filing:<name>': what the clock ran from. */
  anchor: string;
  /** The anchor's instant (UTC), when known. */
  startsAt: string | null;
  /** The window in words, e.g. "72 h" or "4 business days (us-federal) until 17:30". */
  window: string;
  from: string;
  to: string;
  source: string;
  /** Why `due` is null, or what it was computed from when it is provisional. */
  reason?: string;
  /** True when `due` rests on a filing not made yet or on a limit still unknown. */
  projected?: true;
  lateNeedsReasons?: true;
  condition?: string;
  decisionOptions?: DecisionOption[];
  /** Present when the caller gave this filing's actual submission instant. */
  filedAt?: string;
  late?: boolean;
}

export interface ClockResult {
  regime: RegimeId;
  version: number;
  /** The zone of every `dueDate` and of the day and month arithmetic. */
  zone: string;
  filings: ComputedFiling[];
  /** Inputs given that this regime does not use (e.g. `determined` for gdpr-33-1). */
  ignored?: string[];
}

/** A filing worked out, with the moments whose absence left it (or a limit of it) undated. */
interface Evaluated {
  rule: FilingRule;
  result: ComputedFiling;
  missing: Moment[];
}

interface Bound {
  anchor: string;
  startsAt: string | null;
  due: string | null;
  projected: boolean;
  /** Moments whose absence left this bound without a date. */
  missing: Moment[];
  note?: string;
}

const MS_PER_HOUR = 3_600_000;
/** The most contract hours a processor contract may give (thirty days). */
export const MAX_CONTRACT_HOURS = 720;

/**
 * Computes every filing of `regimeId` from the moments given. A filing whose moment is
 * missing gets `due: null` and a reason such as "needs --determined"; only when no dated
 * filing of the regime can be computed at all is that an error (BD_DEADLINE_INVALID naming
 * the moment). A filing chained on one not yet filed runs from that filing's due instant and
 * is marked `projected`. Unknown regime → BD_DEADLINE_INVALID listing the ids.
 */
export function computeFilings(
  regimeId: string,
  moments: ClockMoments,
  opts: ClockOptions = {},
): ClockResult {
  const regime = getRegime(regimeId);
  const inputZone = checkZone(opts.zone);
  const contractHours = checkContractHours(opts.contractHours);
  const zone = regime.zoneFixed || inputZone === undefined ? regime.zone : inputZone;

  const at = readMoments(moments, inputZone);
  const filed = readFiled(regime, moments.filings, inputZone);

  const computed = new Map<string, Evaluated>();
  for (const rule of regime.filings) {
    const bounds = rule.limits.map((limit) =>
      evaluate(limit, { at, filed, computed, zone, contractHours }),
    );
    const missing = [...new Set(bounds.flatMap((b) => b.missing))];
    computed.set(rule.filing, {
      rule,
      result: describe(rule, bounds, zone, contractHours),
      missing,
    });
  }

  assertSomethingDated(regime, [...computed.values()]);

  const filings = [...computed.values()].map(({ result }) => {
    const filedAt = filed[result.filing];
    if (filedAt === undefined) return result;
    return { ...result, filedAt, late: result.due !== null && filedAt > result.due };
  });
  const ignored = ignoredInputs(regime, moments, opts);
  return {
    regime: regime.id,
    version: regime.version,
    zone,
    filings,
    ...(ignored.length > 0 ? { ignored } : {}),
  };
}

/** Reads `name=instant` pairs (CLI `--filed`, HTTP `filed`) into a filings record. */
export function parseFiledPairs(
  values: readonly string[],
  field = 'filed',
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const value of values) {
    const eq = value.indexOf('=');
    const name = eq > 0 ? value.slice(0, eq).trim() : '';
    if (name === '' || Object.hasOwn(out, name)) {
      fail('BD_DEADLINE_INVALID', `${field} must be FILING=INSTANT, each filing once`, field);
    }
    out[name] = value.slice(eq + 1).trim();
  }
  return out;
}

/** A window in words, as shown in the CLI table and docs/regimes.md. */
export function describeWindow(window: Window, contractHours?: number): string {
  switch (window.kind) {
    case 'hours':
      return `${window.hours} h`;
    case 'contract-hours':
      return contractHours === undefined
        ? `${window.defaultHours} h (default; no contract hours given)`
        : `${contractHours} h (contract)`;
    case 'calendar-days':
      return `${window.days} calendar days`;
    case 'business-days': {
      const until = window.cutoff ? ` until ${window.cutoff}` : '';
      return `${window.days} business days (${window.calendar})${until}`;
    }
    case 'months':
      return window.months === 1 ? '1 month' : `${window.months} months`;
    case 'undue-delay':
      return 'without undue delay';
  }
}

interface EvalContext {
  at: Partial<Record<Moment, string>>;
  filed: Record<string, string>;
  computed: Map<string, Evaluated>;
  zone: string;
  contractHours: number | undefined;
}

function evaluate(limit: Limit, ctx: EvalContext): Bound {
  const start = resolveAnchor(limit.anchor, ctx);
  if (start.startsAt === null || limit.window.kind === 'undue-delay') {
    return { ...start, due: null };
  }
  return { ...start, due: applyWindow(start.startsAt, limit.window, ctx) };
}

function resolveAnchor(anchor: Anchor, ctx: EvalContext): Omit<Bound, 'due'> {
  if (typeof anchor === 'string') {
    const startsAt = ctx.at[anchor] ?? null;
    return { anchor, startsAt, projected: false, missing: startsAt === null ? [anchor] : [] };
  }

  const name = `filing:${anchor.filing}`;
  const actual = ctx.filed[anchor.filing];
  if (actual !== undefined) {
    return { anchor: name, startsAt: actual, projected: false, missing: [] };
  }

  // Not filed yet: run from the earlier filing's own deadline, and say so.
  const earlier = ctx.computed.get(anchor.filing);
  const earlierDue = earlier?.result.due ?? null;
  return {
    anchor: name,
    startsAt: earlierDue,
    projected: true,
    missing: earlierDue === null ? (earlier?.missing ?? []) : [],
    note: `${anchor.filing} not filed yet: projected from its due time`,
  };
}

function applyWindow(startsAt: string, window: Window, ctx: EvalContext): string | null {
  const start = Date.parse(startsAt);
  switch (window.kind) {
    case 'hours':
      return new Date(start + window.hours * MS_PER_HOUR).toISOString();
    case 'contract-hours':
      return new Date(
        start + (ctx.contractHours ?? window.defaultHours) * MS_PER_HOUR,
      ).toISOString();
    case 'calendar-days':
      return endOfLocalDay(addCalendarDays(localDate(startsAt, ctx.zone), window.days), ctx.zone);
    case 'business-days': {
      const day = addBusinessDays(localDate(startsAt, ctx.zone), window.days, window.calendar);
      return window.cutoff
        ? instantAtWallTime(day, window.cutoff, ctx.zone)
        : endOfLocalDay(day, ctx.zone);
    }
    case 'months':
      return addMonthsAtWallTime(startsAt, window.months, ctx.zone);
    case 'undue-delay':
      return null;
  }
}

function describe(
  rule: FilingRule,
  bounds: Bound[],
  zone: string,
  contractHours: number | undefined,
): ComputedFiling {
  const [first] = rule.limits;
  const known = bounds.filter((b): b is Bound & { due: string } => b.due !== null);
  const chosen = known.reduce<(typeof known)[number] | undefined>(
    (best, b) => (best === undefined || b.due < best.due ? b : best),
    undefined,
  );
  const shownBound = chosen ?? bounds[0];

  const base: ComputedFiling = {
    filing: rule.filing,
    due: chosen?.due ?? null,
    dueDate: chosen ? localDate(chosen.due, zone) : null,
    anchor: shownBound?.anchor ?? anchorName(first.anchor),
    startsAt: shownBound?.startsAt ?? null,
    window: rule.limits.map((l) => describeWindow(l.window, contractHours)).join(' or '),
    from: rule.from,
    to: rule.to,
    source: rule.source,
    ...(rule.lateNeedsReasons ? { lateNeedsReasons: true as const } : {}),
    ...(rule.condition ? { condition: rule.condition } : {}),
    ...(rule.decisionOptions ? { decisionOptions: [...rule.decisionOptions] } : {}),
  };

  const reason = reasonFor(rule, bounds, chosen);
  const projected = chosen !== undefined && (chosen.projected || known.length < bounds.length);
  return { ...base, ...(reason ? { reason } : {}), ...(projected ? { projected: true } : {}) };
}

function reasonFor(rule: FilingRule, bounds: Bound[], chosen: Bound | undefined): string | null {
  if (rule.limits.every((l) => l.window.kind === 'undue-delay')) {
    return 'without undue delay: no fixed date; stays open until met or decided not required';
  }

  const missing = [...new Set(bounds.flatMap((b) => b.missing))].map((m) => `--${m}`);
  if (chosen === undefined) {
    return `needs ${missing.join(' or ')}`;
  }
  if (missing.length > 0) {
    return `earliest known limit; ${missing.join(' and ')} may bring it earlier`;
  }
  return chosen.projected ? (chosen.note ?? null) : null;
}

function assertSomethingDated(regime: Regime, evaluated: Evaluated[]): void {
  const dated = evaluated.filter(({ rule }) =>
    rule.limits.some((l) => l.window.kind !== 'undue-delay'),
  );
  if (dated.length === 0 || dated.some(({ result }) => result.due !== null)) {
    return;
  }

  // Nothing dated could be computed: the caller most likely forgot the one moment that matters.
  const needed = [...new Set(dated.flatMap((e) => e.missing))];
  const first = needed[0] ?? 'aware';
  const meaning = regime.moments[first];
  fail(
    'BD_DEADLINE_INVALID',
    `${regime.id} needs the ${needed.join(' or ')} moment` +
      (meaning ? `, when ${meaning}` : '') +
      `. Give it as --${first} on the command line or ${first}= over HTTP`,
    first,
  );
}

function readMoments(moments: ClockMoments, zone: string | undefined) {
  if (typeof moments !== 'object' || moments === null) {
    fail('BD_DEADLINE_INVALID', 'moments must be an object of ISO 8601 instants', 'moments');
  }

  const at: Partial<Record<Moment, string>> = {};
  for (const name of MOMENTS) {
    const value = moments[name];
    if (value !== undefined) at[name] = parseInstant(value, name, zone);
  }
  return at;
}

function readFiled(
  regime: Regime,
  filings: Record<string, string> | undefined,
  zone: string | undefined,
): Record<string, string> {
  const names = regime.filings.map((f) => f.filing);
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(filings ?? {})) {
    if (!names.includes(name)) {
      fail(
        'BD_DEADLINE_INVALID',
        `${regime.id} has no filing "${name}"; its filings are ${names.join(', ')}`,
        `filings.${name}`,
      );
    }
    out[name] = parseInstant(value, `filings.${name}`, zone);
  }
  return out;
}

function ignoredInputs(regime: Regime, moments: ClockMoments, opts: ClockOptions): string[] {
  const used = new Set(
    regime.filings
      .flatMap((f) => f.limits.map((l) => l.anchor))
      .filter((a) => typeof a === 'string'),
  );
  const ignored: string[] = MOMENTS.filter((m) => moments[m] !== undefined && !used.has(m));

  const takesHours = regime.filings.some((f) =>
    f.limits.some((l) => l.window.kind === 'contract-hours'),
  );
  if (opts.contractHours !== undefined && !takesHours) ignored.push('contractHours');
  return ignored;
}

function anchorName(anchor: Anchor): string {
  return typeof anchor === 'string' ? anchor : `filing:${anchor.filing}`;
}

function checkZone(zone: string | undefined): string | undefined {
  if (zone === undefined) return undefined;
  if (typeof zone !== 'string' || !IANAZone.isValidZone(zone)) {
    fail(
      'BD_DEADLINE_INVALID',
      'zone must be an IANA time zone such as Europe/Berlin or UTC',
      'zone',
    );
  }
  return zone;
}

function checkContractHours(hours: number | undefined): number | undefined {
  if (hours === undefined) return undefined;
  if (
    typeof hours !== 'number' ||
    !Number.isInteger(hours) ||
    hours < 1 ||
    hours > MAX_CONTRACT_HOURS
  ) {
    fail(
      'BD_DEADLINE_INVALID',
      `contractHours must be a whole number of hours from 1 to ${MAX_CONTRACT_HOURS}`,
      'contractHours',
    );
  }
  return hours;
}
