import { describe, expect, it } from 'vitest';

import { computeFilings } from '../../../src/domain/clock-calculator.ts';

const controller = (aware: string, contractHours?: number) =>
  computeFilings('gdpr-33-2', { aware }, { contractHours }).filings[0];

describe('gdpr-33-2 (processor to controller, contract hours)', () => {
  it('defaults to 24 hours when no contract hours are given', () => {
    // 2024-02-28 12:00Z + 24 h = 2024-02-29 12:00Z (the leap day).
    expect(controller('2024-02-28T12:00:00Z')?.due).toBe('2024-02-29T12:00:00.000Z');
  });

  it("uses the tenant's contractual hours", () => {
    // 2024-02-28 12:00Z + 12 h = 2024-02-29 00:00Z.
    expect(controller('2024-02-28T12:00:00Z', 12)?.due).toBe('2024-02-29T00:00:00.000Z');
  });

  it('says which hours it used', () => {
    expect(controller('2024-02-28T12:00:00Z', 48)?.window).toBe('48 h (contract)');
  });

  it('refuses contract hours that are not a whole number from 1 to 720', () => {
    expect(() => controller('2024-02-28T12:00:00Z', 0.5)).toThrow(
      expect.objectContaining({ code: 'BD_DEADLINE_INVALID', field: 'contractHours' }),
    );
  });
});
