import { describe, expect, it } from 'vitest';

import { instantInZone, timeZoneOf } from '../../src/intake/zone-time.ts';
import type { TimeZone, WallTime } from '../../src/intake/zone-time.ts';

function wall(text: string): WallTime {
  const [year, month, day, hour, minute] = text.split(/[-T:]/).map(Number);
  return {
    year: year ?? 0,
    month: month ?? 0,
    day: day ?? 0,
    hour: hour ?? 0,
    minute: minute ?? 0,
    second: 0,
    millisecond: 0,
  };
}

function zone(name: string): TimeZone {
  const found = timeZoneOf(name);
  if (found === null) throw new Error(`no zone ${name}`);
  return found;
}

describe('timeZoneOf', () => {
  it.each(['UTC', 'utc', 'Z', '+01:00', '-0530', 'Europe/Berlin', 'America/Sao_Paulo'])(
    'knows %s',
    (name) => {
      expect(timeZoneOf(name)).not.toBeNull();
    },
  );

  it.each(['EST', 'CET', 'Mars/Base', '+24:00', '+01:60', ''])('refuses %j', (name) => {
    expect(timeZoneOf(name)).toBeNull();
  });
});

describe('instantInZone', () => {
  it('places the three spellings of the issue 4 instant alike', () => {
    const expected = { kind: 'instant', at: new Date('2024-03-10T06:30:00Z') };

    expect(instantInZone(wall('2024-03-10T01:30'), zone('America/New_York'))).toEqual(expected);
    expect(instantInZone(wall('2024-03-10T01:30'), zone('-05:00'))).toEqual(expected);
    expect(instantInZone(wall('2024-03-10T06:30'), zone('UTC'))).toEqual(expected);
  });

  it('reports the hour that spring-forward skips', () => {
    expect(instantInZone(wall('2024-03-31T02:30'), zone('Europe/Berlin'))).toEqual({
      kind: 'skipped',
    });
  });

  it('reports both instants of the hour that fall-back repeats', () => {
    expect(instantInZone(wall('2024-10-27T02:30'), zone('Europe/Berlin'))).toEqual({
      kind: 'repeated',
      earlier: new Date('2024-10-27T00:30:00Z'),
      later: new Date('2024-10-27T01:30:00Z'),
    });
  });

  it('reads summer time on an ordinary day', () => {
    expect(instantInZone(wall('2024-07-01T12:00'), zone('Europe/Berlin'))).toEqual({
      kind: 'instant',
      at: new Date('2024-07-01T10:00:00Z'),
    });
  });

  it('refuses a date that does not exist', () => {
    expect(instantInZone(wall('2023-02-29T12:00'), zone('UTC'))).toEqual({ kind: 'not-a-date' });
  });
});
