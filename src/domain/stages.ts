/**
 * The five-stage process of DESIGN.md §1.2: detect → assess → diagnose ⇄ stabilize → close.
 * Pure rules only; recording who moved an investigation, when and why is the caller's job.
 */
import { fail } from './errors.ts';
import { STAGES } from './types.ts';
import type { Classification, Stage } from './types.ts';

/** What a transition may depend on besides the two stages. */
export interface TransitionContext {
  classification: Classification | null;
  postmortemComplete: boolean;
}

/** Classifications that let assess close an investigation without diagnosing it. */
export const CLOSABLE_AT_ASSESS: readonly Classification[] = [
  'false_positive',
  'not_security_event',
  'customer_responsibility',
];

const NEXT: Readonly<Record<Stage, readonly Stage[]>> = {
  detect: ['assess'],
  assess: ['diagnose', 'close'],
  diagnose: ['stabilize'],
  stabilize: ['diagnose', 'close'],
  close: [],
};

/** The stages an investigation in `from` may move to, before any precondition is checked. */
export function allowedTransitions(from: Stage): Stage[] {
  if (!Object.hasOwn(NEXT, from)) {
    fail('BD_STAGE_ILLEGAL_TRANSITION', `stage must be one of ${STAGES.join(', ')}`, 'stage');
  }

  return [...NEXT[from]];
}

/**
 * Throws unless moving from `from` to `to` is allowed now: BD_STAGE_ILLEGAL_TRANSITION for a
 * move the process never allows, BD_STAGE_PRECONDITION for one that waits on a missing fact.
 */
export function assertTransition(from: Stage, to: Stage, ctx: TransitionContext): void {
  const allowed = allowedTransitions(from);
  if (!allowed.includes(to)) {
    const choices = allowed.length === 0 ? `none, ${from} is terminal` : allowed.join(', ');
    fail(
      'BD_STAGE_ILLEGAL_TRANSITION',
      `cannot move from ${from} to ${to}; allowed from ${from}: ${choices}`,
      'stage',
    );
  }

  // DESIGN.md §1.2: assess may close only what turned out not to be our incident.
  if (from === 'assess' && to === 'close' && !isClosableAtAssess(ctx.classification)) {
    const current = ctx.classification ?? 'not classified';
    fail(
      'BD_STAGE_PRECONDITION',
      `cannot close from assess while classification is ${current}; ` +
        `classification must be one of ${CLOSABLE_AT_ASSESS.join(', ')}`,
      'classification',
    );
  }

  // DESIGN.md §1.2: close records the post-mortem, so a real incident closes only with one.
  if (from === 'stabilize' && to === 'close' && !ctx.postmortemComplete) {
    fail(
      'BD_STAGE_PRECONDITION',
      'cannot close from stabilize before the postmortem is complete',
      'postmortem',
    );
  }
}

/** True for every stage except close. */
export function isOpen(stage: Stage): boolean {
  return stage !== 'close';
}

function isClosableAtAssess(classification: Classification | null): boolean {
  return classification !== null && CLOSABLE_AT_ASSESS.includes(classification);
}
