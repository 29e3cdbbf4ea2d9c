/**
 * CSV cells never open as formulas (OWASP CSV injection): a text starting with = + - @, tab or
 * CR comes back from an RFC 4180 parser prefixed with an apostrophe, everything else unchanged.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  spreadsheetCell,
  spreadsheetRow,
  startsLikeFormula,
} from '../../src/domain/spreadsheet-cell.ts';

const TRIGGERS = ['=', '+', '-', '@', '\t', '\r'];

/** An RFC 4180 reader: records of fields, quoted fields may hold commas, quotes, line breaks. */
function parseCsv(csv: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let i = 0;
  while (i < csv.length) {
    if (csv[i] === '"') {
      i += 1;
      while (i < csv.length && !(csv[i] === '"' && csv[i + 1] !== '"')) {
        field += csv[i] === '"' ? '"' : csv[i];
        i += csv[i] === '"' ? 2 : 1;
      }
      i += 1;
    } else if (csv[i] === ',') {
      record.push(field);
      field = '';
      i += 1;
    } else if (csv.startsWith('\r\n', i)) {
      records.push([...record, field]);
      record = [];
      field = '';
      i += 2;
    } else {
      field += csv[i];
      i += 1;
    }
  }
  return records;
}

// Plenty of cells that start with a trigger, after spaces or not, with CSV syntax inside.
const cellText = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc
    .tuple(
      fc.constantFrom('', ' ', '  '),
      fc.constantFrom(...TRIGGERS),
      fc.string({ unit: fc.constantFrom('a', '1', '"', ',', '\r', '\n', '(', ')', '!', ' ') }),
    )
    .map((parts) => parts.join('')),
);

describe('spreadsheet cells', () => {
  it('come back from a CSV reader as written, with a quote before any formula start', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(cellText, { minLength: 1, maxLength: 5 }), { minLength: 1 }),
        (rows) => {
          const parsed = parseCsv(rows.map(spreadsheetRow).join(''));

          const expected = rows.map((row) =>
            row.map((text) => (startsLikeFormula(text) ? `'${text}` : text)),
          );
          expect(parsed).toEqual(expected);
        },
      ),
    );
  });

  it('never start with a formula character once read back', () => {
    fc.assert(
      fc.property(fc.array(cellText, { minLength: 1, maxLength: 8 }), (row) => {
        const [cells = []] = parseCsv(spreadsheetRow(row));
        for (const cell of cells) {
          const shown = cell.replace(/^ +/, '');
          expect(TRIGGERS.some((t) => shown.startsWith(t))).toBe(false);
        }
      }),
    );
  });

  it('neutralise the classic payloads', () => {
    expect(spreadsheetCell('=HYPERLINK("http://evil.example","x")')).toBe(
      `"'=HYPERLINK(""http://evil.example"",""x"")"`,
    );
    expect(spreadsheetCell("@SUM(1+1)*cmd|' /C calc'!A0")).toBe(`"'@SUM(1+1)*cmd|' /C calc'!A0"`);
    expect(spreadsheetCell('\t=1+1')).toBe(`"'\t=1+1"`);
  });

  it('leave numbers and ordinary text unchanged', () => {
    expect(spreadsheetRow([-5, 1.5, true, null, 'acme GmbH'])).toBe('-5,1.5,true,,acme GmbH\r\n');
  });
});
