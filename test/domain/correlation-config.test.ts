/**
 * Correlation settings are refused naming the bad key; match expressions hold for exactly the
 * signals they describe.
 */
import { describe, expect, it } from 'vitest';

import { matches, parseMatchExpression } from '../../src/domain/suppression.ts';
import type { NormalizedSignal } from '../../src/domain/types.ts';
import {
  parseCorrelationConfig,
  refingerprint,
  ruleFor,
} from '../../src/intake/correlation-config.ts';

function signal(over: Partial<NormalizedSignal> = {}): NormalizedSignal {
  return {
    format: 'suricata',
    sourceKind: 'automated_alert',
    sourceEventId: null,
    occurredAt: '2026-11-30T08:00:00.000Z',
    originalTimestamp: '2026-11-30T08:00:00Z',
    title: 'ET SCAN Nmap Scripting Engine',
    severity: 'medium',
    fingerprint: 'f',
    host: 'Sensor-1',
    sourceIp: '198.51.100.7',
    destinationIp: '2001:db8::5',
    principal: null,
    exerciseId: null,
    observables: [{ kind: 'domain', value: 'xn--bcher-kva.example', tags: [] }],
    raw: {},
    ...over,
  };
}

describe('parseCorrelationConfig', () => {
  it.each([
    [{ default: { groupBy: ['hostname'] } }, 'correlation.default.groupBy.0'],
    [{ default: { windowHours: -1 } }, 'correlation.default.windowHours'],
    [{ sources: { x: { distinguishBy: 'body' } } }, 'correlation.sources.x.distinguishBy'],
    [{ sources: { x: { fingerprintKeys: [] } } }, 'correlation.sources.x.fingerprintKeys'],
    [{ defaults: {} }, 'correlation'],
  ])('refuses %j naming %s', (config, field) => {
    expect(() => parseCorrelationConfig(config)).toThrow(
      expect.objectContaining({ code: 'BD_CONFIG_INVALID', field }),
    );
  });

  it('lets a source override the defaults, and an explicit window override both', () => {
    const config = parseCorrelationConfig({
      default: { groupBy: ['host'], windowHours: 12 },
      sources: { zeek: { distinguishBy: 'raw.note', windowHours: 6 } },
    });

    expect(ruleFor(config, 'zeek')).toEqual({
      groupBy: ['host'],
      distinguishBy: 'raw.note',
      windowHours: 6,
      fingerprintKeys: null,
    });
    expect(ruleFor(config, 'suricata').windowHours).toBe(12);
    expect(ruleFor(config, 'zeek', 48).windowHours).toBe(48);
    expect(ruleFor(undefined, 'any')).toMatchObject({ groupBy: [], windowHours: 24 });
  });
});

describe('suppression match expressions', () => {
  it('matches globs without case, CIDR blocks of either family, and observables', () => {
    const s = signal();
    const holds = (m: unknown) => matches(parseMatchExpression(m), s);

    expect(holds({ title: 'et scan *' })).toBe(true);
    expect(holds({ title: 'ET SCAN' })).toBe(false);
    expect(holds({ sourceIp: '198.51.100.0/24', host: 'sensor-?' })).toBe(true);
    expect(holds({ sourceIp: '198.51.101.0/24' })).toBe(false);
    expect(holds({ destinationIp: '2001:db8::/32' })).toBe(true);
    expect(holds({ destinationIp: '10.0.0.0/8' })).toBe(false);
    expect(holds({ 'observable.domain': 'xn--bcher-kva.*' })).toBe(true);
    expect(holds({ 'observable.hash': '*a*' })).toBe(false);
    // A regular-expression character in a pattern is literal text.
    expect(holds({ title: 'ET SCAN Nmap.*' })).toBe(false);
  });

  it.each([
    [{}, 'match'],
    [{ body: 'x' }, 'match.body'],
    [{ title: '***' }, 'match.title'],
    [{ title: '' }, 'match.title'],
    [{ sourceIp: 'not-an-ip' }, 'match.sourceIp'],
    [{ title: 'x'.repeat(501) }, 'match.title'],
    [['title'], 'match'],
  ])('refuses %j naming %s', (m, field) => {
    expect(() => parseMatchExpression(m)).toThrow(
      expect.objectContaining({ code: 'BD_SUPPRESSION_INVALID', field }),
    );
  });
});

describe('suppression patterns that would mute nearly everything or stall intake', () => {
  it.each([
    [{ title: '?*' }],
    [{ title: '* ?' }],
    [{ sourceIp: '0.0.0.0/0' }],
    [{ destinationIp: '::/0' }],
  ])('refuses %j', (m) => {
    expect(() => parseMatchExpression(m)).toThrow(
      expect.objectContaining({ code: 'BD_SUPPRESSION_INVALID' }),
    );
  });

  it('matches a many-star pattern against a long crafted title at once', () => {
    const expression = parseMatchExpression({ title: 'ET * * * * *.exe' });
    const started = performance.now();
    const hit = matches(expression, signal({ title: `${'a '.repeat(249)}b` }));

    expect(hit).toBe(false);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(matches(expression, signal({ title: 'ET a b c d e.exe' }))).toBe(true);
  });
});

describe('configured fingerprint keys a record does not carry', () => {
  it('do not make unrelated alerts equal', () => {
    const rule = ruleFor(
      parseCorrelationConfig({ default: { fingerprintKeys: ['raw.rule.nme'] } }),
      'x',
    );
    const a = refingerprint(signal({ fingerprint: 'adapter-a' }), rule);
    const b = refingerprint(signal({ fingerprint: 'adapter-b' }), rule);
    const c = refingerprint(signal({ fingerprint: 'adapter-a', title: 'other' }), rule);

    expect(a.fingerprint).not.toBe(b.fingerprint);
    expect(a.fingerprint).toBe(c.fingerprint);
  });
});
