import { describe, expect, it } from 'vitest';

import { outcomeOf } from '../../src/intake/outcome.ts';
import type { ParseOutcome } from '../../src/intake/outcome.ts';
import type { NormalizedTimestamp } from '../../src/intake/timestamp.ts';
import { epochMillisAt, utcTimestampAt } from '../../src/intake/vendor-timestamps.ts';

/** Runs a reader the way adapters do, so a rejection comes back as a value. */
function read(reader: () => NormalizedTimestamp): NormalizedTimestamp | ParseOutcome {
  let time: NormalizedTimestamp | null = null;
  const outcome = outcomeOf(() => {
    time = reader();
    return { kind: 'skipped', reason: 'read' };
  });
  return time ?? outcome;
}

describe('utcTimestampAt', () => {
  it('reads a zone-less value as that UTC instant and keeps the text as sent', () => {
    const record = { UpdatedAt: '2024-05-24 22:53:24.000000000' };

    expect(read(() => utcTimestampAt(record, 'UpdatedAt'))).toEqual({
      utc: '2024-05-24T22:53:24.000Z',
      original: '2024-05-24 22:53:24.000000000',
    });
  });

  it('honours an explicit offset', () => {
    const record = { at: '2024-03-10T01:30:00.123456-0500' };

    expect(read(() => utcTimestampAt(record, 'at'))).toMatchObject({
      utc: '2024-03-10T06:30:00.123Z',
    });
  });

  it('rejects an impossible zone-less date, naming the field', () => {
    const record = { at: '2023-02-29 12:00:00' };

    expect(read(() => utcTimestampAt(record, 'at'))).toMatchObject({
      kind: 'rejected',
      code: 'BD_INTAKE_FIELD_INVALID',
      field: 'at',
      reason: 'at "2023-02-29 12:00:00" is not a real date and time',
    });
  });
});

describe('epochMillisAt', () => {
  it('reads milliseconds written as a number or as digits', () => {
    expect(read(() => epochMillisAt({ t: 0 }, 't'))).toMatchObject({
      utc: '1970-01-01T00:00:00.000Z',
    });
    expect(read(() => epochMillisAt({ t: '1616609989000' }, 't'))).toEqual({
      utc: '2021-03-24T18:19:49.000Z',
      original: '1616609989000',
    });
  });

  it.each([
    ['absent', {}, 'BD_INTAKE_FIELD_MISSING'],
    ['negative', { t: -1 }, 'BD_INTAKE_FIELD_INVALID'],
    ['beyond year 9999', { t: 253_402_300_800_000 }, 'BD_INTAKE_FIELD_INVALID'],
    ['a date string', { t: '2021-03-24' }, 'BD_INTAKE_FIELD_INVALID'],
  ])('rejects a value that is %s, naming the field', (_label, record, code) => {
    expect(read(() => epochMillisAt(record, 't'))).toMatchObject({
      kind: 'rejected',
      code,
      field: 't',
    });
  });
});
