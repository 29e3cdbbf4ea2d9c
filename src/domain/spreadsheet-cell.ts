/**
 * CSV fields that a spreadsheet opens as data, never as a formula (OWASP "CSV Injection"): a
 * text starting with = + - @, a tab or a carriage return (after any leading spaces, which some
 * importers trim) gets a leading apostrophe, and every such field is quoted. Pure.
 */

// The characters that make Excel, LibreOffice Calc or Google Sheets start a formula or DDE.
const FORMULA_START = /^[ ]*[=+\-@\t\r]/;

// RFC 4180 §2: a field with a comma, quote or line break must be enclosed in double quotes.
const NEEDS_QUOTES = /[",\r\n]/;

/** A cell value as a writer has it; numbers and booleans are data and stay unchanged. */
export type CellValue = string | number | boolean | null | undefined;

/** True when a spreadsheet would read `text` as the start of a formula. */
export function startsLikeFormula(text: string): boolean {
  return FORMULA_START.test(text);
}

/** One CSV field: quoted as RFC 4180 requires, and neutralised when it starts like a formula. */
export function spreadsheetCell(value: CellValue): string {
  if (value === null || value === undefined) return '';
  // A finite number's own text (-5, 1e+21) is read back as that number, not as a formula.
  if (typeof value === 'boolean' || Number.isFinite(value)) return String(value);

  const raw = String(value);
  const guarded = startsLikeFormula(raw);
  const text = guarded ? `'${raw}` : raw;
  if (!guarded && !NEEDS_QUOTES.test(text)) return text;
  return `"${text.replaceAll('"', '""')}"`;
}

/** One CSV record with its CRLF line end (RFC 4180 §2). */
export function spreadsheetRow(values: readonly CellValue[]): string {
  return `${values.map(spreadsheetCell).join(',')}\r\n`;
}
