import { describe, expect, it } from 'vitest';

import { fieldAt } from '../../src/intake/field-path.ts';

describe('fieldAt', () => {
  it.each([
    ['nested', 'host.name', { host: { name: 'a' } }],
    ['flat', 'host.name', { 'host.name': 'a' }],
    [
      'flat prefix, nested rest',
      'kibana.alert.rule.name',
      { 'kibana.alert': { rule: { name: 'a' } } },
    ],
    ['nested prefix, flat rest', 'kibana.alert.rule.name', { kibana: { 'alert.rule.name': 'a' } }],
  ])('reads a %s spelling of %s', (_label, path, record) => {
    expect(fieldAt(record, path)).toBe('a');
  });

  it('prefers the nested spelling when both are present', () => {
    expect(fieldAt({ host: { name: 'nested' }, 'host.name': 'flat' }, 'host.name')).toBe('nested');
  });

  it('falls through a nested branch that lacks the rest of the path', () => {
    expect(fieldAt({ host: { ip: '1' }, 'host.name': 'flat' }, 'host.name')).toBe('flat');
  });

  it('never reads inherited keys', () => {
    expect(fieldAt({}, 'constructor.name')).toBeUndefined();
    expect(fieldAt({ a: {} }, 'a.__proto__')).toBeUndefined();
  });
});
