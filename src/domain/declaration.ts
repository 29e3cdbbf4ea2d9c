/**
 * Declaring a customer-reportable security incident (CRSI), DESIGN.md §1.4. Declaring is a
 * deliberate act of an incident manager, backed by an evidence statement, and it starts the
 * notification clocks from the moment of awareness.
 */
import { MAX_TEXT_LENGTH, readOptionalText } from './classification.ts';
import { parseInstant } from './deadlines.ts';
import { BreachdeskError, fail } from './errors.ts';
import type { Role, Stage } from './types.ts';

/** Why a CRSI is declared: access to customer data, a duty to notify, or both. */
export const DECLARATION_GROUNDS = ['unauthorized_access', 'duty_to_notify'] as const;
export type DeclarationGround = (typeof DECLARATION_GROUNDS)[number];

/** Roles allowed to declare a CRSI. */
export const DECLARING_ROLES: readonly Role[] = ['incident_manager', 'executive_incident_manager'];

/** Stages in which a CRSI may be declared: after assess, before close. */
export const DECLARING_STAGES: readonly Stage[] = ['diagnose', 'stabilize'];

/** The shortest evidence statement accepted, in characters after trimming. */
export const MIN_EVIDENCE_LENGTH = 20;

/** Who declares, where the investigation stands, and the current instant. */
export interface DeclarationContext {
  role: Role;
  stage: Stage;
  now: Date;
}

/** A validated declaration; both instants are UTC ISO strings with a trailing Z. */
export interface Declaration {
  grounds: DeclarationGround[];
  evidence: string;
  awareAt: string;
  declaredAt: string;
}

/**
 * Validates a CRSI declaration. Throws BD_DECLARE_FORBIDDEN_ROLE, BD_DECLARE_WRONG_STAGE, or
 * BD_DECLARE_INVALID naming `grounds`, `evidence` or `awareAt`. `awareAt` defaults to `now`.
 */
export function validateDeclaration(input: unknown, ctx: DeclarationContext): Declaration {
  if (!DECLARING_ROLES.includes(ctx.role)) {
    fail(
      'BD_DECLARE_FORBIDDEN_ROLE',
      `declaring a CRSI needs role ${DECLARING_ROLES.join(' or ')}, not ${ctx.role}`,
      'role',
    );
  }
  if (!DECLARING_STAGES.includes(ctx.stage)) {
    fail(
      'BD_DECLARE_WRONG_STAGE',
      `a CRSI can be declared only after assess and before close (in ${DECLARING_STAGES.join(
        ' or ',
      )}); the investigation is in ${ctx.stage}`,
      'stage',
    );
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    fail('BD_DECLARE_INVALID', 'declaration must be an object with grounds and evidence');
  }
  const record = input as Record<string, unknown>;

  const grounds = readGrounds(record.grounds);
  const evidence = readEvidence(record.evidence);
  const declaredAt = ctx.now.toISOString();
  const awareAt = readAwareAt(record.awareAt, declaredAt);
  return { grounds, evidence, awareAt, declaredAt };
}

function readGrounds(value: unknown): DeclarationGround[] {
  const accepted = DECLARATION_GROUNDS.join(', ');
  if (!Array.isArray(value) || value.length === 0) {
    fail('BD_DECLARE_INVALID', `grounds must be a non-empty list of ${accepted}`, 'grounds');
  }

  const known: readonly unknown[] = DECLARATION_GROUNDS;
  return value.map((ground: unknown, i): DeclarationGround => {
    if (!known.includes(ground)) {
      fail('BD_DECLARE_INVALID', `grounds[${i}] must be one of ${accepted}`, `grounds[${i}]`);
    }
    if (value.indexOf(ground) !== i) {
      fail('BD_DECLARE_INVALID', `grounds lists ${String(ground)} twice`, `grounds[${i}]`);
    }
    return ground as DeclarationGround;
  });
}

function readEvidence(value: unknown): string {
  // DESIGN.md §1.4: the bar is "beyond reasonable doubt", so the reasoning must be written down.
  const evidence = readOptionalText(value, 'evidence', 'BD_DECLARE_INVALID');
  if (evidence === null || [...evidence].length < MIN_EVIDENCE_LENGTH) {
    fail(
      'BD_DECLARE_INVALID',
      `evidence must be a statement of ${MIN_EVIDENCE_LENGTH} to ${MAX_TEXT_LENGTH} characters`,
      'evidence',
    );
  }
  return evidence;
}

function readAwareAt(value: unknown, declaredAt: string): string {
  if (value === undefined || value === null) {
    return declaredAt;
  }

  const awareAt = typeof value === 'string' ? tryParseInstant(value) : null;
  if (awareAt === null) {
    fail(
      'BD_DECLARE_INVALID',
      'awareAt must be an ISO 8601 instant with Z or an offset, e.g. 2024-03-30T10:00:00+01:00',
      'awareAt',
    );
  }

  // GDPR Art. 33: the clocks run from awareness, which cannot come after the declaration.
  if (Date.parse(awareAt) > Date.parse(declaredAt)) {
    fail('BD_DECLARE_INVALID', `awareAt must not be later than now (${declaredAt})`, 'awareAt');
  }
  return awareAt;
}

function tryParseInstant(value: string): string | null {
  try {
    return parseInstant(value, 'awareAt');
  } catch (error) {
    if (error instanceof BreachdeskError) {
      return null;
    }
    throw error;
  }
}
