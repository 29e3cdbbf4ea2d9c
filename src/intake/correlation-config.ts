/**
 * Correlation settings per source, from a JSON file the operator writes:
 *   { "default": { "windowHours": 24, "groupBy": ["host"] },
 *     "sources": { "suricata": { "distinguishBy": "title", "fingerprintKeys": ["raw.alert.signature_id"] } } }
 * Everything is optional; an absent file means fingerprint de-duplication in a 24 h window.
 */
import { readFileSync } from 'node:fs';

import { z } from 'zod';

import {
  type CorrelationRule,
  DEFAULT_RULE,
  ENTITY_FIELDS,
  signalFieldValue,
} from '../domain/correlation.ts';
import { fail } from '../domain/errors.ts';
import type { NormalizedSignal } from '../domain/types.ts';
import { fingerprint } from './fingerprint.ts';

const SIGNAL_FIELDS = [
  'format',
  'sourceKind',
  'sourceEventId',
  'title',
  'severity',
  'host',
  'sourceIp',
  'destinationIp',
  'principal',
  'exerciseId',
] as const;

const fieldPath = z
  .string()
  .refine(
    (p) => (SIGNAL_FIELDS as readonly string[]).includes(p) || /^raw\.[^.]+(\.[^.]+)*$/.test(p),
    { message: `must be one of ${SIGNAL_FIELDS.join(', ')} or raw.<path>` },
  );

const ruleSchema = z
  .object({
    groupBy: z.array(z.enum(ENTITY_FIELDS)).optional(),
    distinguishBy: fieldPath.nullable().optional(),
    windowHours: z
      .number()
      .positive()
      .max(24 * 366)
      .optional(),
    fingerprintKeys: z.array(fieldPath).min(1).max(20).nullable().optional(),
  })
  .strict();

const configSchema = z
  .object({
    default: ruleSchema.optional(),
    sources: z.record(z.string().min(1).max(200), ruleSchema).optional(),
  })
  .strict();

export type CorrelationConfig = z.infer<typeof configSchema>;

/** Checks a parsed configuration; the error names the bad path and what is accepted. */
export function parseCorrelationConfig(value: unknown, origin = 'correlation'): CorrelationConfig {
  const parsed = configSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = [origin, ...(issue?.path ?? []).map(String)].join('.');
    fail('BD_CONFIG_INVALID', `${path}: ${issue?.message ?? 'invalid'}`, path);
  }
  return parsed.data;
}

/** Reads and checks a correlation file (JSON). */
export function loadCorrelationConfig(path: string): CorrelationConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    fail(
      'BD_FILE_UNREADABLE',
      `cannot read correlation config ${path}: ${(error as Error).message}`,
    );
  }

  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    fail('BD_CONFIG_INVALID', `${path} is not JSON: ${(error as Error).message}`, 'correlation');
  }
  return parseCorrelationConfig(value, path);
}

/** The rule for `source`: its own settings over the defaults; a window option wins over both. */
export function ruleFor(
  config: CorrelationConfig | undefined,
  source: string,
  windowHours?: number,
): CorrelationRule {
  const own = config?.sources?.[source] ?? {};
  const base = config?.default ?? {};
  return {
    groupBy: own.groupBy ?? base.groupBy ?? DEFAULT_RULE.groupBy,
    distinguishBy: own.distinguishBy ?? base.distinguishBy ?? DEFAULT_RULE.distinguishBy,
    windowHours: windowHours ?? own.windowHours ?? base.windowHours ?? DEFAULT_RULE.windowHours,
    fingerprintKeys: own.fingerprintKeys ?? base.fingerprintKeys ?? DEFAULT_RULE.fingerprintKeys,
  };
}

/** The signal with its fingerprint made from the configured keys instead of the adapter's. */
export function refingerprint(signal: NormalizedSignal, rule: CorrelationRule): NormalizedSignal {
  const keys = (rule.fingerprintKeys ?? []).map((path) => signalFieldValue(signal, path));
  // A key the record does not carry (a typo, or a sender that spells the field otherwise)
  // must not make unrelated alerts equal: such a record keeps the adapter's own identity too.
  const fallback = keys.includes(null) ? [signal.fingerprint] : [];
  // The kind and exercise lead, as in the generic adapter: an exercise never merges with
  // real activity however the keys are configured.
  return {
    ...signal,
    fingerprint: fingerprint(signal.format, [
      signal.sourceKind,
      signal.exerciseId,
      ...keys,
      ...fallback,
    ]),
  };
}
