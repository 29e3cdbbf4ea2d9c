import { describe, expect, it } from 'vitest';

import { BreachdeskError } from '../../src/domain/errors.ts';
import { parseIndicators, sourceIpMatcher } from '../../src/scoping/indicators.ts';

function failure(input: unknown): BreachdeskError {
  try {
    parseIndicators(input);
  } catch (error) {
    if (error instanceof BreachdeskError) return error;
    throw error;
  }
  throw new Error('expected parseIndicators to fail');
}

describe('parseIndicators', () => {
  it('returns canonical IPs, ranges and UTC instants', () => {
    const parsed = parseIndicators({
      principals: [' arn:aws:iam::1:user/x ', 'arn:aws:iam::1:user/x'],
      sourceIps: ['2001:DB8:0:0::1', '10.1.2.3/8', '::ffff:192.0.2.7', '::ffff:10.0.0.0/104'],
      from: '2024-03-01T10:00:00+11:00',
    });

    expect(parsed).toEqual({
      principals: ['arn:aws:iam::1:user/x'],
      // ::ffff:10.0.0.0/104 is 10.0.0.0/8 again and is listed once.
      sourceIps: ['2001:db8::1', '10.0.0.0/8', '192.0.2.7'],
      from: '2024-02-29T23:00:00.000Z',
      to: null,
    });
  });

  it('names the bad entry of sourceIps', () => {
    const error = failure({ sourceIps: ['10.0.0.1', '10.0.0.0/8', '10.0.0.0/33'] });

    expect(error.code).toBe('BD_SCOPE_INVALID');
    expect(error.field).toBe('sourceIps[2]');
  });

  it('refuses legacy IPv4 spellings such as 10.1', () => {
    expect(failure({ sourceIps: ['10.1'] }).field).toBe('sourceIps[0]');
  });

  it('requires a principal or a source IP', () => {
    expect(failure({ principals: [], sourceIps: [] }).field).toBe('principals');
  });

  it('refuses indicator kinds it cannot apply yet', () => {
    expect(failure({ principals: ['x'], userAgents: ['curl'] }).field).toBe('userAgents');
  });

  it('refuses times without a zone and impossible dates', () => {
    expect(failure({ principals: ['x'], from: '2024-03-01T00:00:00' }).field).toBe('from');
    expect(failure({ principals: ['x'], to: '2024-02-30T00:00:00Z' }).field).toBe('to');
  });

  it('refuses a window that ends before it starts', () => {
    const error = failure({
      principals: ['x'],
      from: '2024-03-02T00:00:00Z',
      to: '2024-03-01T00:00:00Z',
    });

    expect(error.field).toBe('to');
  });

  it('refuses a principal that is not a string', () => {
    expect(failure({ principals: ['a', 7] }).field).toBe('principals[1]');
  });
});

describe('sourceIpMatcher', () => {
  const matches = sourceIpMatcher(['203.0.113.0/24', '2001:db8:bad::/48', '198.51.100.7']);

  it('matches addresses inside IPv4 and IPv6 ranges', () => {
    expect(['203.0.113.255', '2001:db8:bad:ffff::1', '198.51.100.7'].map(matches)).toEqual([
      true,
      true,
      true,
    ]);
  });

  it('does not match neighbours of the ranges', () => {
    expect(['203.0.114.0', '2001:db8:bae::1', '198.51.100.8'].map(matches)).toEqual([
      false,
      false,
      false,
    ]);
  });

  it('matches an IPv4-mapped IPv6 log address against an IPv4 range', () => {
    expect(matches('::ffff:203.0.113.9')).toBe(true);
  });

  it('never matches service names CloudTrail writes in place of an address', () => {
    expect(matches('s3.amazonaws.com')).toBe(false);
  });
});
