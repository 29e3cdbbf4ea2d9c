/**
 * What a request for a suppression rule must hold, checked without I/O: a match expression
 * (suppression.ts), an owner who answers for the rule, the reason it is safe to mute, and an
 * expiry. Every rule expires, so that a muted detection comes back for review on its own.
 */
import { z } from 'zod';

import { fail } from './errors.ts';
import { type MatchExpression, parseMatchExpression } from './suppression.ts';
import { noControls, oneLineName, showsText } from './text-rules.ts';
import { fieldPath } from './validate.ts';

/** Longest a rule may live. A year covers a tuning cycle; longer rules are renewed, on purpose. */
export const SUPPRESSION_MAX_DAYS = 365;

export const SUPPRESSION_OWNER_MAX = 200;
export const SUPPRESSION_REASON_MAX = 4000;

const MS_PER_DAY = 86_400_000;

export interface RuleRequest {
  match: MatchExpression;
  owner: string;
  reason: string;
  /** UTC instant, ISO 8601 with Z. */
  expiresAt: string;
}

const requestSchema = z
  .object({
    match: z.unknown(),
    owner: z
      .string({ error: 'must be a text naming who answers for the rule' })
      // Checked before trimming: a trailing line break or BOM is refused, not silently cut.
      .superRefine(oneLineName('name who answers for the rule'))
      .trim()
      .max(SUPPRESSION_OWNER_MAX, `must be at most ${SUPPRESSION_OWNER_MAX} characters`)
      .optional(),
    reason: z
      .string({ error: 'must be a text saying why these signals are safe to mute' })
      .trim()
      .superRefine(showsText('say why these signals are safe to mute'))
      .max(SUPPRESSION_REASON_MAX, `must be at most ${SUPPRESSION_REASON_MAX} characters`)
      // Several lines are fine; a bidi override would reorder the text wherever it is read.
      .superRefine(noControls('many')),
    expiresAt: z.iso.datetime({
      offset: true,
      error: 'must be an ISO 8601 date and time with Z or an offset, e.g. 2026-12-15T09:00:00Z',
    }),
  })
  .strict();

/**
 * Checks a rule request: a valid match expression, a reason that shows text, an owner that is
 * a one-line name (nameProblem in text-rules.ts; `defaultOwner` when none is given), and an
 * expiry after `now` and at most SUPPRESSION_MAX_DAYS later. `at` prefixes field paths
 * (`suppress.` inside a classification). Throws BD_SUPPRESSION_INVALID naming the field.
 */
export function parseRuleRequest(
  input: unknown,
  now: Date,
  defaultOwner: string,
  at = '',
): RuleRequest {
  const result = requestSchema.safeParse(input);
  if (!result.success) {
    const issue = result.error.issues[0];
    const keys = issue?.code === 'unrecognized_keys' ? issue.keys : [];
    const field = `${at}${fieldPath([...(issue?.path ?? []), ...keys.slice(0, 1)])}`;
    const message =
      keys.length > 0
        ? 'is not a rule field; send match, owner, reason and expiresAt'
        : (issue?.message ?? 'invalid value');
    fail('BD_SUPPRESSION_INVALID', `${field}: ${message}`, field);
  }
  const body = result.data;

  const match = parseMatchExpression(body.match, `${at}match`);
  const expiresAt = new Date(body.expiresAt);
  if (expiresAt.getTime() <= now.getTime()) {
    fail(
      'BD_SUPPRESSION_INVALID',
      `${at}expiresAt must be in the future; every rule expires, give a date after now`,
      `${at}expiresAt`,
    );
  }
  if (expiresAt.getTime() > now.getTime() + SUPPRESSION_MAX_DAYS * MS_PER_DAY) {
    fail(
      'BD_SUPPRESSION_INVALID',
      `${at}expiresAt must be at most ${SUPPRESSION_MAX_DAYS} days ahead; renew the rule ` +
        'when it expires to keep it',
      `${at}expiresAt`,
    );
  }

  return {
    match,
    owner: body.owner ?? defaultOwner,
    reason: body.reason,
    expiresAt: expiresAt.toISOString(),
  };
}

export type RuleState = 'active' | 'expired' | 'revoked';

/** Where a rule stands at `now`: revoked wins over expired; only an active rule mutes. */
export function ruleState(
  rule: { expiresAt: string; revokedAt: string | null },
  now: Date,
): RuleState {
  if (rule.revokedAt !== null) return 'revoked';
  return Date.parse(rule.expiresAt) > now.getTime() ? 'active' : 'expired';
}
