import { describe, it, expect } from 'vitest';

import { allowedTransitions, assertTransition, isOpen } from '../../src/domain/stages.ts';
import type { TransitionContext } from '../../src/domain/stages.ts';
import type { Stage } from '../../src/domain/types.ts';

const unclassified: TransitionContext = { classification: null, postmortemComplete: false };

describe('stage transitions', () => {
  it('lets detect move only to assess', () => {
    expect(allowedTransitions('detect')).toEqual(['assess']);
  });

  it('lets diagnose and stabilize alternate as often as needed', () => {
    expect(() => assertTransition('diagnose', 'stabilize', unclassified)).not.toThrow();
    expect(() => assertTransition('stabilize', 'diagnose', unclassified)).not.toThrow();
  });

  it('refuses to skip from detect to close and lists what is allowed', () => {
    expect(() => assertTransition('detect', 'close', unclassified)).toThrow(
      expect.objectContaining({
        code: 'BD_STAGE_ILLEGAL_TRANSITION',
        message: 'cannot move from detect to close; allowed from detect: assess',
      }),
    );
  });

  it('refuses to leave close because close is terminal', () => {
    expect(() => assertTransition('close', 'diagnose', unclassified)).toThrow(
      'allowed from close: none, close is terminal',
    );
  });

  it('refuses to stay in the same stage', () => {
    expect(() => assertTransition('assess', 'assess', unclassified)).toThrow(
      expect.objectContaining({ code: 'BD_STAGE_ILLEGAL_TRANSITION' }),
    );
  });

  it('refuses an unknown stage naming the accepted stages', () => {
    expect(() => allowedTransitions('triage' as never)).toThrow(
      'stage must be one of detect, assess, diagnose, stabilize, close',
    );
  });
});

describe('closing from assess', () => {
  it.each(['false_positive', 'not_security_event', 'customer_responsibility'] as const)(
    'closes an investigation classified %s',
    (classification) => {
      const ctx = { classification, postmortemComplete: false };
      expect(() => assertTransition('assess', 'close', ctx)).not.toThrow();
    },
  );

  it('refuses to close a security incident from assess, naming classification', () => {
    const ctx = { classification: 'security_incident', postmortemComplete: true } as const;
    expect(() => assertTransition('assess', 'close', ctx)).toThrow(
      expect.objectContaining({ code: 'BD_STAGE_PRECONDITION', field: 'classification' }),
    );
  });

  it('lists the accepted classifications when an unclassified investigation is closed', () => {
    expect(() => assertTransition('assess', 'close', unclassified)).toThrow(
      'must be one of false_positive, not_security_event, customer_responsibility',
    );
  });
});

describe('closing from stabilize', () => {
  it('refuses to close without a complete postmortem', () => {
    const ctx = { classification: 'crsi', postmortemComplete: false } as const;
    expect(() => assertTransition('stabilize', 'close', ctx)).toThrow(
      expect.objectContaining({ code: 'BD_STAGE_PRECONDITION', field: 'postmortem' }),
    );
  });

  it('closes once the postmortem is complete', () => {
    const ctx = { classification: 'crsi', postmortemComplete: true } as const;
    expect(() => assertTransition('stabilize', 'close', ctx)).not.toThrow();
  });

  it('refuses to close straight from diagnose even with a postmortem', () => {
    const ctx = { classification: 'crsi', postmortemComplete: true } as const;
    expect(() => assertTransition('diagnose', 'close', ctx)).toThrow(
      'cannot move from diagnose to close; allowed from diagnose: stabilize',
    );
  });
});

describe('isOpen', () => {
  it('treats every stage but close as open', () => {
    const open: Stage[] = ['detect', 'assess', 'diagnose', 'stabilize'];
    expect(open.every(isOpen)).toBe(true);
    expect(isOpen('close')).toBe(false);
  });
});
