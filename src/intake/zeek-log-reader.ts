/**
 * Reading Zeek logs in both forms Zeek writes: JSON lines (`LogAscii::use_json`) and its
 * default tab-separated text with `#` header lines. A TSV block starts at `#separator`, names
 * its columns in `#fields` and their types in `#types`, and ends at `#close`; a file may hold
 * several blocks (rotated logs concatenated) and JSON lines outside them. Each TSV row becomes
 * the same object Zeek's JSON writer would have written for it, so the adapter reads one shape.
 *
 * Header and value rules follow Zeek's ASCII writer (docs.zeek.org, "Zeek Logs" and the
 * LogAscii options): separators and unprintable bytes inside values are written as `\xHH`,
 * an unset field as `#unset_field` (default `-`), an empty string or container as
 * `#empty_field` (default `(empty)`), set and vector elements joined by `#set_separator`.
 */
import type { RecordItem, RecordReader } from './records.ts';
import { notUtf8Item, readTextLines } from './records.ts';

/** Reads Zeek JSON lines and Zeek TSV logs, telling them apart line by line. */
export const zeekLogReader: RecordReader = { file: readZeekLog, body: zeekRecordsFromBody };

/** The records of a Zeek log file or stream (plain or gzipped), in constant memory. */
export async function* readZeekLog(
  source: string | NodeJS.ReadableStream,
): AsyncGenerator<RecordItem> {
  const reader = new ZeekLineReader();
  for await (const { line, text, notUtf8 } of readTextLines(source)) {
    if (notUtf8) {
      yield notUtf8Item(line, 'BD_INTAKE_FIELD_INVALID', 'a Zeek log');
      continue;
    }
    const item = reader.read(text, line);
    if (item !== null) yield item;
  }
}

/** The records of a Zeek log sent as an HTTP body. */
export function* zeekRecordsFromBody(body: string): Generator<RecordItem> {
  const reader = new ZeekLineReader();
  for (const [index, text] of body.split(/\r?\n/).entries()) {
    const item = reader.read(text, index + 1);
    if (item !== null) yield item;
  }
}

interface TsvBlock {
  separator: string;
  setSeparator: string;
  emptyField: string;
  unsetField: string;
  path: string | null;
  fields: string[] | null;
  fieldsLine: number;
  types: string[] | null;
}

/** Reads one line at a time, remembering the TSV header block the line belongs to. */
class ZeekLineReader {
  private block: TsvBlock | null = null;

  read(rawText: string, line: number): RecordItem | null {
    const text = line === 1 && rawText.startsWith('\uFEFF') ? rawText.slice(1) : rawText;
    if (!text.trim()) return null;

    if (text.startsWith('#separator')) return this.open(text, line);
    if (this.block !== null && text.startsWith('#')) return this.header(this.block, text, line);
    if (this.block !== null) return this.row(this.block, text, line);
    if (text.startsWith('#')) {
      return {
        line,
        error: 'a Zeek header line must follow #separator, which starts every TSV log',
        code: 'BD_INTAKE_FIELD_MISSING',
        field: '#separator',
      };
    }
    return jsonLine(text, line);
  }

  /** `#separator \x09`: the one header whose value follows a space, not the separator. */
  private open(text: string, line: number): RecordItem | null {
    const separator = unescapeZeek(text.slice('#separator'.length).trim());
    if (!separator) {
      this.block = null;
      return {
        line,
        error: '#separator has no value; Zeek writes "#separator \\x09" for tabs',
        code: 'BD_INTAKE_FIELD_MISSING',
        field: '#separator',
      };
    }

    this.block = {
      separator,
      setSeparator: ',',
      emptyField: '(empty)',
      unsetField: '-',
      path: null,
      fields: null,
      fieldsLine: 0,
      types: null,
    };
    return null;
  }

  private header(block: TsvBlock, text: string, line: number): RecordItem | null {
    const [name = '', ...values] = text.slice(1).split(block.separator);
    const value = unescapeZeek(values[0] ?? '');

    switch (name) {
      case 'set_separator':
        block.setSeparator = value || ',';
        break;
      case 'empty_field':
        block.emptyField = value;
        break;
      case 'unset_field':
        block.unsetField = value;
        break;
      case 'path':
        block.path = value || null;
        break;
      case 'fields':
        block.fields = values.map(unescapeZeek);
        block.fieldsLine = line;
        block.types = null;
        break;
      case 'types':
        block.types = values.map(unescapeZeek);
        break;
      case 'close':
        this.block = null;
        break;
      default:
        // #open and any header a later Zeek adds carry nothing a record needs.
        break;
    }
    return null;
  }

  private row(block: TsvBlock, text: string, line: number): RecordItem {
    if (block.fields === null) {
      return {
        line,
        error: 'a Zeek TSV row came before the #fields header that names its columns',
        code: 'BD_INTAKE_FIELD_MISSING',
        field: '#fields',
      };
    }

    const values = text.split(block.separator);
    if (values.length !== block.fields.length) {
      return {
        line,
        error:
          `the row has ${values.length} values but #fields on line ${block.fieldsLine} ` +
          `names ${block.fields.length} columns`,
        code: 'BD_INTAKE_FIELD_INVALID',
        field: '#fields',
      };
    }

    const record: Record<string, unknown> = {};
    // Zeek's JSON writer leaves the log's name out; it is kept so a skip can say which log.
    if (block.path !== null) record._path = block.path;
    for (const [index, field] of block.fields.entries()) {
      const value = valueOf(values[index] ?? '', block.types?.[index] ?? 'string', block);
      if (value !== undefined) record[field] = value;
    }
    return { line, record };
  }
}

/**
 * One TSV value as Zeek's JSON writer would write it: unset fields left out, numbers as
 * numbers, `T`/`F` as booleans, sets and vectors as arrays, everything else as text.
 */
function valueOf(raw: string, type: string, block: TsvBlock): unknown {
  if (raw === block.unsetField) return undefined;

  const container = /^(?:set|vector|table)\[(.+)\]$/.exec(type);
  if (container) {
    if (raw === block.emptyField) return [];
    const inner = container[1] ?? 'string';
    return raw.split(block.setSeparator).map((element) => scalarOf(element, inner, block));
  }
  if (raw === block.emptyField) return '';
  return scalarOf(raw, type, block);
}

function scalarOf(raw: string, type: string, block: TsvBlock): unknown {
  if (raw === block.unsetField) return null;

  switch (type) {
    case 'time':
    case 'interval':
    case 'double':
      return /^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?$/.test(raw) ? Number(raw) : unescapeZeek(raw);
    case 'count':
    case 'int':
    case 'port':
      return /^-?\d{1,15}$/.test(raw) ? Number(raw) : unescapeZeek(raw);
    case 'bool':
      if (raw === 'T') return true;
      return raw === 'F' ? false : unescapeZeek(raw);
    default:
      return unescapeZeek(raw);
  }
}

/**
 * Undoes Zeek's `\xHH` escapes. Runs of escaped bytes are decoded together as UTF-8, so a
 * multi-byte character escaped byte by byte comes back whole; invalid bytes become U+FFFD.
 */
export function unescapeZeek(text: string): string {
  if (!text.includes('\\x')) return text;
  return text.replace(/(?:\\x[0-9a-fA-F]{2})+/g, (run) => {
    const bytes = run
      .split('\\x')
      .slice(1)
      .map((hex) => Number.parseInt(hex, 16));
    return Buffer.from(bytes).toString('utf8');
  });
}

function jsonLine(text: string, line: number): RecordItem {
  try {
    return { line, record: JSON.parse(text.trim()) as unknown };
  } catch (error) {
    return { line, error: error instanceof Error ? error.message : String(error) };
  }
}
