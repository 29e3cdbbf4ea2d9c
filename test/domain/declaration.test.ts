import { describe, it, expect } from 'vitest';

import { validateDeclaration } from '../../src/domain/declaration.ts';
import type { DeclarationContext } from '../../src/domain/declaration.ts';

const now = new Date('2024-04-01T12:00:00.000Z');
const evidence = 'Access logs show exfiltration of tenant A mailboxes by a stolen token.';

function buildContext(overrides: Partial<DeclarationContext> = {}): DeclarationContext {
  return { role: 'incident_manager', stage: 'diagnose', now, ...overrides };
}

describe('declaring a CRSI', () => {
  it('defaults awareness to now and records the declaration time', () => {
    const declaration = validateDeclaration(
      { grounds: ['unauthorized_access'], evidence },
      buildContext(),
    );
    expect(declaration).toEqual({
      grounds: ['unauthorized_access'],
      evidence,
      awareAt: '2024-04-01T12:00:00.000Z',
      declaredAt: '2024-04-01T12:00:00.000Z',
    });
  });

  it('converts an awareness time with an offset to UTC', () => {
    const input = { grounds: ['duty_to_notify'], evidence, awareAt: '2024-03-30T10:00+01:00' };
    const declaration = validateDeclaration(input, buildContext({ stage: 'stabilize' }));
    expect(declaration.awareAt).toBe('2024-03-30T09:00:00.000Z');
  });

  it('lets the executive incident manager declare', () => {
    const input = { grounds: ['unauthorized_access', 'duty_to_notify'], evidence };
    const ctx = buildContext({ role: 'executive_incident_manager' });
    expect(validateDeclaration(input, ctx).grounds).toHaveLength(2);
  });

  it('refuses a responder', () => {
    const input = { grounds: ['unauthorized_access'], evidence };
    expect(() => validateDeclaration(input, buildContext({ role: 'responder' }))).toThrow(
      expect.objectContaining({ code: 'BD_DECLARE_FORBIDDEN_ROLE' }),
    );
  });

  it.each(['detect', 'assess', 'close'] as const)('refuses to declare in %s', (stage) => {
    const input = { grounds: ['unauthorized_access'], evidence };
    expect(() => validateDeclaration(input, buildContext({ stage }))).toThrow(
      expect.objectContaining({ code: 'BD_DECLARE_WRONG_STAGE' }),
    );
  });

  it('explains that declaring happens after assess and before close', () => {
    const input = { grounds: ['unauthorized_access'], evidence };
    expect(() => validateDeclaration(input, buildContext({ stage: 'assess' }))).toThrow(
      'after assess and before close',
    );
  });
});

describe('declaration input validation', () => {
  it('refuses evidence shorter than 20 characters after trimming', () => {
    const input = { grounds: ['unauthorized_access'], evidence: '   we think so, yes    ' };
    expect(() => validateDeclaration(input, buildContext())).toThrow(
      expect.objectContaining({ code: 'BD_DECLARE_INVALID', field: 'evidence' }),
    );
  });

  it('refuses missing evidence', () => {
    const input = { grounds: ['unauthorized_access'] };
    expect(() => validateDeclaration(input, buildContext())).toThrow(
      expect.objectContaining({ field: 'evidence' }),
    );
  });

  it('refuses empty grounds', () => {
    expect(() => validateDeclaration({ grounds: [], evidence }, buildContext())).toThrow(
      expect.objectContaining({ field: 'grounds' }),
    );
  });

  it('refuses an unknown ground naming its position', () => {
    const input = { grounds: ['duty_to_notify', 'hunch'], evidence };
    expect(() => validateDeclaration(input, buildContext())).toThrow(
      expect.objectContaining({ field: 'grounds[1]' }),
    );
  });

  it('refuses a ground listed twice', () => {
    const input = { grounds: ['duty_to_notify', 'duty_to_notify'], evidence };
    expect(() => validateDeclaration(input, buildContext())).toThrow(/twice/);
  });

  it('refuses an awareness time without an offset', () => {
    const input = { grounds: ['duty_to_notify'], evidence, awareAt: '2024-03-30T10:00' };
    expect(() => validateDeclaration(input, buildContext())).toThrow(
      expect.objectContaining({ code: 'BD_DECLARE_INVALID', field: 'awareAt' }),
    );
  });

  it('refuses an awareness time later than now', () => {
    const input = { grounds: ['duty_to_notify'], evidence, awareAt: '2024-04-01T12:00:00.001Z' };
    expect(() => validateDeclaration(input, buildContext())).toThrow(
      expect.objectContaining({ field: 'awareAt' }),
    );
  });

  it('accepts an awareness time equal to now', () => {
    const input = { grounds: ['duty_to_notify'], evidence, awareAt: '2024-04-01T14:00:00+02:00' };
    expect(validateDeclaration(input, buildContext()).awareAt).toBe('2024-04-01T12:00:00.000Z');
  });
});
