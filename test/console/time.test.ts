/**
 * The console's deadline words (web/src/time.ts), under every zone `npm test` runs in: the
 * count of time left is instant arithmetic, so a 72-hour clock that crosses a daylight-saving
 * change in the viewer's zone still reads 72 hours.
 */
import { describe, expect, it } from 'vitest';
import { localTime, timeLeft, urgency, utcInstant } from '../../web/src/time.ts';

const at = (iso: string) => Date.parse(iso);

describe('console deadline words', () => {
  it('counts days, hours and minutes left, and overdue time', () => {
    const now = at('2026-12-05T09:00:00Z');

    expect(timeLeft(at('2026-12-08T09:00:00Z'), now)).toBe('3 d 0 h left');
    expect(timeLeft(at('2026-12-05T13:35:00Z'), now)).toBe('4 h 35 min left');
    expect(timeLeft(at('2026-12-05T09:00:59Z'), now)).toBe('0 min left');
    expect(timeLeft(at('2026-12-05T06:00:00Z'), now)).toBe('overdue by 3 h 0 min');
  });

  it('reads 72 hours across a daylight-saving change (US, 2024-03-10)', () => {
    const aware = at('2024-03-09T12:00:00-05:00');
    const due = aware + 72 * 3_600_000;

    expect(timeLeft(due, aware)).toBe('3 d 0 h left');
    expect(utcInstant(new Date(due).toISOString())).toBe('2024-03-12T17:00:00Z');
  });

  it('gives one UTC instant for the same moment written three ways', () => {
    const forms = [
      '2024-03-10T01:30:00-05:00',
      '2024-03-10T01:30:00.000-05:00',
      '2024-03-10T06:30:00Z',
    ];
    expect(new Set(forms.map(utcInstant))).toEqual(new Set(['2024-03-10T06:30:00Z']));
  });

  it('marks overdue, under 12 hours, and comfortable', () => {
    const now = at('2026-12-05T09:00:00Z');
    expect(urgency(now - 1, now)).toBe('overdue');
    expect(urgency(now + 11 * 3_600_000, now)).toBe('soon');
    expect(urgency(now + 13 * 3_600_000, now)).toBe('ok');
  });

  it("shows the instant in the host's own zone, named", () => {
    const shown = localTime('2026-12-05T09:00:00Z');
    const expected = new Intl.DateTimeFormat(undefined, {
      timeZoneName: 'short',
    })
      .formatToParts(new Date('2026-12-05T09:00:00Z'))
      .find((p) => p.type === 'timeZoneName')?.value;

    expect(shown).toContain(expected);
  });
});
