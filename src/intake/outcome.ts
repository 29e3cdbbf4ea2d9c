/**
 * The contract every intake adapter fulfils, and the small field readers the adapters share.
 * Adapters are pure: a record and the arrival time in, one outcome out, nothing thrown.
 */
import ipaddr from 'ipaddr.js';

import { BreachdeskError, fail } from '../domain/errors.ts';
import type { ErrorCode } from '../domain/errors.ts';
import type { NormalizedSignal } from '../domain/types.ts';
import type { Tx } from '../store/db.ts';
import type { RecordReader } from './records.ts';

/** What one record became: a signal, a deliberate skip (not an alert), or a rejection. */
export type ParseOutcome =
  | { kind: 'signal'; signal: NormalizedSignal }
  | { kind: 'skipped'; reason: string }
  | { kind: 'rejected'; code: ErrorCode; field: string | null; reason: string };

/** One sender format. `parse` never throws: every problem comes back as an outcome. */
export interface IntakeAdapter {
  format: string;
  /** How files and bodies split into records for this format; NDJSON when absent. */
  reader?: RecordReader;
  parse(record: unknown, receivedAt: Date): ParseOutcome;
  /**
   * Keeps what came with a signal (e-mail attachments) in the signal's own transaction, once
   * the signal row exists.
   */
  afterStore?(
    tx: Tx,
    stored: { signalId: string; investigationId: string | null },
    signal: NormalizedSignal,
  ): Promise<void>;
}

/** A record that is valid but carries nothing to investigate (e.g. a Suricata `http` event). */
export function skipped(reason: string): ParseOutcome {
  return { kind: 'skipped', reason };
}

/**
 * Runs an adapter body written with `fail()` and turns the BreachdeskError it raises into a
 * `rejected` outcome, so adapters read as straight-line validation. Any other error is a bug
 * and is rethrown.
 */
export function outcomeOf(build: () => ParseOutcome): ParseOutcome {
  try {
    return build();
  } catch (error) {
    if (!(error instanceof BreachdeskError)) throw error;
    return {
      kind: 'rejected',
      code: error.code,
      field: error.field ?? null,
      reason: error.message,
    };
  }
}

/** The record as a plain JSON object, or a rejection naming what arrived instead. */
export function objectOf(value: unknown): Record<string, unknown> {
  if (!isPlainObject(value)) {
    fail('BD_INTAKE_FIELD_INVALID', `record must be a JSON object, got ${describe(value)}`);
  }
  return value;
}

/** The value at a dotted path (`alert.signature_id`), or undefined when any step is absent. */
export function valueAt(record: Record<string, unknown>, path: string): unknown {
  let current: unknown = record;
  for (const key of pathSteps(path)) {
    // Own keys only: a key such as `__proto__` or `constructor` must not reach the prototype.
    if (!isPlainObject(current) || !Object.hasOwn(current, key)) return undefined;
    current = current[key];
  }
  return current;
}

// Adapters ask for the same few dozen paths for every record; splitting each once is enough.
const STEPS = new Map<string, string[]>();
const MAX_CACHED_PATHS = 1024;

function pathSteps(path: string): string[] {
  let steps = STEPS.get(path);
  if (steps === undefined) {
    steps = path.split('.');
    // Paths come from code and configuration, not from records; the cap is only a safeguard.
    if (STEPS.size < MAX_CACHED_PATHS) STEPS.set(path, steps);
  }
  return steps;
}

/** A required non-blank string at `path`; missing or blank and wrong type are told apart. */
export function requiredText(record: Record<string, unknown>, path: string): string {
  const value = valueAt(record, path);

  if (value === undefined || value === null || (typeof value === 'string' && !value.trim())) {
    fail('BD_INTAKE_FIELD_MISSING', `${path} is required`, path);
  }
  if (typeof value !== 'string') {
    fail('BD_INTAKE_FIELD_INVALID', `${path} must be a string, got ${describe(value)}`, path);
  }
  return value.trim();
}

/** A lenient optional string: anything that is not a non-blank string reads as null. */
export function textOrNull(value: unknown): string | null {
  return typeof value === 'string' && value.trim() ? value.trim() : null;
}

/**
 * A non-negative integer written as a JSON number or as decimal digits. Wazuh documents that
 * went through the indexer carry numbers as strings, so both spellings are accepted.
 */
export function integerOrNull(value: unknown): number | null {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? value : null;
  if (typeof value !== 'string' || !/^\s*\d{1,15}\s*$/.test(value)) return null;
  return Number(value);
}

// Four decimal octets 0–255 without leading zeros: the form ipaddr.js would print.
const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const CANONICAL_IPV4 = new RegExp(`^${OCTET}(?:\\.${OCTET}){3}$`);

/**
 * An IPv4 or IPv6 address in canonical form (lowercase, compressed, IPv4-mapped unwrapped), or
 * null. Shorthand IPv4 such as `127.1` or `0x7f.1` is refused: it is ambiguous in logs.
 */
export function ipOrNull(value: unknown): string | null {
  if (typeof value !== 'string') return null;

  const text = value.trim();
  // Most addresses arrive already canonical; this spares them ipaddr's full parse.
  if (CANONICAL_IPV4.test(text)) return text;
  if (!ipaddr.IPv4.isValidFourPartDecimal(text) && !ipaddr.IPv6.isValid(text)) return null;
  return ipaddr.process(text).toString();
}

/** A short description of a value for error messages, never echoing large input. */
export function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') {
    return value.length > 60 ? `${JSON.stringify(value.slice(0, 60))}…` : JSON.stringify(value);
  }
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return `${typeof value} ${value}`;
  }
  return typeof value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
