/**
 * A RecordReader for JSON written as documents rather than one object per line: a
 * pretty-printed object spread over many lines, several such objects one after another, a
 * top-level array of records, or plain NDJSON. OCSF examples, Elasticsearch exports and
 * hand-saved API answers look like this. Records are found by tracking brackets and strings,
 * so memory holds one record at a time, never the whole file, and a broken record is reported
 * at the line where it starts while the records around it still go through.
 */
import type { RecordItem, RecordReader } from './records.ts';
import { SPLIT_JSON_HINT, notUtf8Item, readTextLines, tooLongItem } from './records.ts';

/** The largest single record accepted, in UTF-16 code units (about the size in bytes). */
export const MAX_DOCUMENT_CHARS = 16 * 1024 * 1024;

/** Reads NDJSON, concatenated or pretty-printed JSON documents and top-level arrays. */
export const jsonDocumentsReader: RecordReader = {
  file: readJsonDocuments,
  body: jsonDocumentsFromBody,
  takesJsonDocuments: true,
};

/** The records of a file or stream (plain or gzipped), in constant memory per record. */
export async function* readJsonDocuments(
  source: string | NodeJS.ReadableStream,
): AsyncGenerator<RecordItem> {
  const splitter = new DocumentSplitter();
  for await (const { line, text, tooLong, notUtf8 } of readTextLines(source)) {
    if (tooLong) {
      yield tooLongItem(line, SPLIT_JSON_HINT);
      continue;
    }
    if (notUtf8) {
      yield notUtf8Item(line, 'BD_INTAKE_MALFORMED_JSON', 'JSON');
      continue;
    }
    yield* splitter.feed(text, line);
  }
  yield* splitter.finish();
}

/** The records of an HTTP body; `line` is the physical line where each record starts. */
export function* jsonDocumentsFromBody(body: string): Generator<RecordItem> {
  const splitter = new DocumentSplitter();
  for (const [index, text] of body.split(/\r?\n/).entries()) {
    yield* splitter.feed(text, index + 1);
  }
  yield* splitter.finish();
}

/**
 * Finds where each top-level JSON value starts and ends. Inside a top-level array every
 * element is a record; outside one every value is. Bare scalars (numbers, `true`, …) end at
 * the end of their line, as in NDJSON.
 */
class DocumentSplitter {
  private depth = 0;
  private inString = false;
  private escaped = false;
  private arrayLine = 0;
  // Where a top-level array stands: just opened, after an element, or after a comma.
  private arrayState: 'opened' | 'element' | 'comma' = 'opened';
  private collecting: 'none' | 'nested' | 'string' | 'scalar' = 'none';
  private parts: string[] = [];
  private size = 0;
  private startLine = 0;

  feed(rawText: string, line: number): RecordItem[] {
    const text = line === 1 && rawText.startsWith('\uFEFF') ? rawText.slice(1) : rawText;
    const items: RecordItem[] = [];

    // A record cut short must not swallow the ones after it. A line that starts with `{` at
    // its first column, outside an array, begins a new record (inside a record every member
    // line starts with a key or is indented), so the open one was broken: report it and read
    // this line afresh.
    if (this.collecting === 'nested' && this.arrayLine === 0 && text.startsWith('{')) {
      items.push(this.abandon(line));
    }

    // NDJSON fast path: a whole record on its own line needs no character scanning.
    const trimmed = text.trim();
    if (this.collecting === 'none' && this.arrayLine === 0 && trimmed.startsWith('{')) {
      const whole = tryParse(trimmed);
      if (whole.ok) return [...items, { line, record: whole.value }];
    }

    let from = this.collecting === 'none' ? -1 : 0;
    for (let index = 0; index < text.length; index += 1) {
      const char = text[index] as string;
      if (this.collecting !== 'none') {
        if (this.consume(char)) {
          this.append(text.slice(from, index + 1));
          items.push(this.emit());
          from = -1;
        } else if (this.collecting === 'scalar' && /[\s,\]]/.test(char)) {
          this.append(text.slice(from, index));
          items.push(this.emit());
          from = -1;
          index -= 1; // the delimiter is read again as part of the surrounding structure
        }
        continue;
      }

      if (/\s/.test(char)) continue;
      const problem = this.between(char, line);
      if (problem !== null) items.push(problem);
      if (this.collecting !== 'none') from = index;
    }

    if (this.collecting === 'scalar') {
      this.append(text.slice(from));
      items.push(this.emit());
    } else if (this.collecting === 'nested' && this.inString) {
      // JSON strings cannot span lines: a string still open at the end of a line is broken.
      items.push(this.abandon(line + 1));
    } else if (this.collecting !== 'none') {
      this.append(`${text.slice(from)}\n`);
    }
    return items;
  }

  finish(): RecordItem[] {
    const items: RecordItem[] = [];
    if (this.collecting !== 'none') {
      items.push({
        line: this.startLine,
        error:
          `the JSON document starting on line ${this.startLine} is not complete at the end ` +
          'of the input (a closing }, ] or " is missing)',
      });
    } else if (this.arrayLine > 0) {
      items.push({
        line: this.arrayLine,
        error: `the JSON array opened on line ${this.arrayLine} is never closed with ]`,
      });
    }
    return items;
  }

  /** A character outside any record: opens a record, an array of records, or is misplaced. */
  private between(char: string, line: number): RecordItem | null {
    if (this.arrayLine === 0 && char === '[') {
      this.arrayLine = line;
      this.arrayState = 'opened';
      return null;
    }
    if (this.arrayLine > 0 && char === ',') {
      const misplaced = this.arrayState !== 'element';
      this.arrayState = 'comma';
      return misplaced ? { line, error: 'a , in the array has no element before it' } : null;
    }
    if (this.arrayLine > 0 && char === ']') {
      const trailing = this.arrayState === 'comma';
      this.arrayLine = 0;
      return trailing ? { line, error: 'the array ends with a , and no element after it' } : null;
    }
    if (char === ',' || char === ']' || char === '}') {
      return { line, error: `unexpected ${char} between JSON documents` };
    }

    const missingComma = this.arrayLine > 0 && this.arrayState === 'element';
    this.arrayState = 'element';
    this.start(char, line);
    return missingComma ? { line, error: 'array elements must be separated by ,' } : null;
  }

  private start(char: string, line: number): void {
    this.startLine = line;
    this.parts = [];
    this.size = 0;
    if (char === '{' || char === '[') {
      this.collecting = 'nested';
      this.depth = 1;
    } else if (char === '"') {
      this.collecting = 'string';
      this.inString = true;
    } else {
      this.collecting = 'scalar';
    }
  }

  /** Tracks strings and brackets; true when `char` closes the record being collected. */
  private consume(char: string): boolean {
    if (this.collecting === 'scalar') return false;
    if (this.inString) {
      if (this.escaped) this.escaped = false;
      else if (char === '\\') this.escaped = true;
      else if (char === '"') {
        this.inString = false;
        return this.collecting === 'string';
      }
      return false;
    }

    if (char === '"') this.inString = true;
    else if (char === '{' || char === '[') this.depth += 1;
    else if (char === '}' || char === ']') this.depth -= 1;
    return this.depth === 0;
  }

  /** Drops the record being collected and reports it as cut short before `nextLine`. */
  private abandon(nextLine: number): RecordItem {
    const line = this.startLine;
    this.collecting = 'none';
    this.parts = [];
    this.size = 0;
    this.depth = 0;
    this.inString = false;
    this.escaped = false;
    return {
      line,
      error:
        `the JSON record starting on line ${line} is cut short before line ${nextLine} ` +
        '(a closing }, ] or " is missing); the records after it are read on their own',
    };
  }

  private append(text: string): void {
    // Past the limit the record is still scanned to find its end, but no longer kept.
    this.size += text.length;
    if (this.size <= MAX_DOCUMENT_CHARS) this.parts.push(text);
  }

  private emit(): RecordItem {
    const line = this.startLine;
    const oversize = this.size > MAX_DOCUMENT_CHARS;
    const text = this.parts.join('');
    this.collecting = 'none';
    this.parts = [];
    this.size = 0;
    this.depth = 0;

    if (oversize) {
      return {
        line,
        error:
          `the JSON document starting on line ${line} is larger than the limit of ` +
          `${MAX_DOCUMENT_CHARS / 1024 / 1024} MiB per record; split it into smaller records`,
        code: 'BD_REQUEST_TOO_LARGE',
      };
    }
    const parsed = tryParse(text);
    return parsed.ok
      ? { line, record: parsed.value }
      : { line, error: withLine(parsed.error, text, line) };
  }
}

/**
 * JSON.parse counts the position of a fault in characters from the start of the record; in a
 * pretty-printed record an editor line is easier to find, so it is added when not given.
 */
function withLine(message: string, text: string, startLine: number): string {
  const position = /at position (\d+)/.exec(message);
  if (position === null || message.includes('(line ')) return message;

  const before = text.slice(0, Number(position[1]));
  const line = startLine + before.split('\n').length - 1;
  return `${message} (line ${line})`;
}

function tryParse(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}
