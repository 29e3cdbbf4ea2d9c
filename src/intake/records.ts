/**
 * Reading records to hand to an adapter: NDJSON files and streams of any size, plain or
 * gzipped, and HTTP bodies. A malformed line is reported and reading goes on; it is one bad
 * record, not a bad batch.
 */
import { createReadStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { Readable, pipeline } from 'node:stream';
import { constants, createGunzip } from 'node:zlib';

import { BreachdeskError, type ErrorCode } from '../domain/errors.ts';
import { escapedControls } from '../domain/visible-text.ts';
import { peek } from './peek.ts';
import { allChunks } from './stream-chunks.ts';
import { utf16AsUtf8 } from './utf16.ts';
import { Utf8LineCheck } from './utf8-lines.ts';

/**
 * One input record: the parsed JSON value, or the JSON.parse message when the line is not JSON.
 * `line` is the 1-based physical line (blank lines count, so it matches an editor).
 */
export type RecordItem =
  | { line: number; record: unknown }
  | { line: number; error: string; code?: ErrorCode; field?: string };

/**
 * How one format's files and HTTP bodies split into records. Adapters without one read
 * NDJSON (or a JSON document / array for bodies).
 */
export interface RecordReader {
  file(source: string | NodeJS.ReadableStream): AsyncIterable<RecordItem>;
  body(text: string): Iterable<RecordItem>;
  /** False for formats no HTTP body can carry (e-mail): `body` refuses every body. */
  takesBodies?: false;
  /**
   * True when a file may hold JSON laid out other than one object per line (an array, objects
   * over several lines); readers without it read a file's JSON line by line.
   */
  takesJsonDocuments?: true;
}

export const ndjsonReader: RecordReader = { file: readRecords, body: parseRecordsFromBody };
export const lineReader: RecordReader = { file: readLineRecords, body: lineRecordsFromBody };

/** The longest line read, in UTF-16 code units; longer ones are reported, never held. */
export const MAX_LINE_CHARS = 32 * 1024 * 1024;

/** Said of a JSON line over the limit: most often a whole export written as one array. */
export const SPLIT_JSON_HINT =
  "a JSON array on one line can be split one record per line: jq -c '.[]'";

/** The item for a line over MAX_LINE_CHARS, with a hint on how to split it if there is one. */
export function tooLongItem(line: number, hint?: string): RecordItem {
  const limit = `${MAX_LINE_CHARS / 1024 / 1024} MiB`;
  return {
    line,
    error:
      `line ${line} is longer than ${limit}, the most one line may hold; it was skipped` +
      (hint === undefined ? '' : ` (${hint})`),
    code: 'BD_REQUEST_TOO_LARGE',
    field: '(line)',
  };
}

/**
 * A line with bytes that are not UTF-8 (a file saved as Latin-1 or Windows-1252, say) is
 * refused rather than stored with those bytes replaced: the evidence would no longer be what
 * the sender wrote.
 */
export function notUtf8Item(line: number, code: ErrorCode, what: string): RecordItem {
  return {
    line,
    error:
      `line ${line} holds bytes that are not UTF-8, and ${what} is read as UTF-8; convert the ` +
      'file (for example iconv -f WINDOWS-1252 -t UTF-8, or -f UTF-16) and send the line again',
    code,
    field: '(line)',
  };
}

/**
 * Streams NDJSON from a file path or a readable stream, one line at a time in constant memory
 * (see readTextLines). Blank lines are skipped.
 */
export async function* readRecords(
  source: string | NodeJS.ReadableStream,
): AsyncGenerator<RecordItem> {
  for await (const { line, text, tooLong, notUtf8 } of readTextLines(source)) {
    if (tooLong) {
      yield tooLongItem(line, SPLIT_JSON_HINT);
      continue;
    }
    if (notUtf8) {
      yield notUtf8Item(line, 'BD_INTAKE_MALFORMED_JSON', 'JSON');
      continue;
    }
    const item = parseLine(text, line);
    if (item !== null) yield item;
  }
}

/**
 * Streams a line-oriented text format (CEF, IDS "fast" logs, syslog): each non-blank line is
 * one record, handed to the adapter as a string with its line ending removed.
 */
export async function* readLineRecords(
  source: string | NodeJS.ReadableStream,
): AsyncGenerator<RecordItem> {
  for await (const { line, text, tooLong, notUtf8 } of readTextLines(source)) {
    if (tooLong) {
      yield tooLongItem(line);
      continue;
    }
    if (notUtf8) {
      yield notUtf8Item(line, 'BD_INTAKE_FIELD_INVALID', 'a log line');
      continue;
    }
    const record = line === 1 ? stripBom(text) : text;
    if (record.trim()) yield { line, record };
  }
}

/** The line-oriented counterpart of parseRecordsFromBody: one record per non-blank line. */
export function* lineRecordsFromBody(body: string): Generator<RecordItem> {
  for (const [index, text] of stripBom(body).split(/\r?\n/).entries()) {
    if (text.trim()) yield { line: index + 1, record: text };
  }
}

/** One physical line, its line end removed. */
export interface TextLine {
  line: number;
  text: string;
  /** Over MAX_LINE_CHARS: `text` is empty, the line was skipped. */
  tooLong?: true;
  /** Holds bytes that are not UTF-8; they read as U+FFFD in `text`. */
  notUtf8?: true;
}

/**
 * The physical lines of a file or stream, gunzipped when needed, in constant memory (the
 * source is read only as fast as the consumer takes lines; a line over MAX_LINE_CHARS comes
 * back empty with `tooLong`, one with bytes that are not UTF-8 is marked `notUtf8`). Gzip is
 * undone when the path ends in `.gz` or the data starts with the gzip magic bytes. I/O and
 * decompression errors end the iteration by throwing; the source is released when the
 * consumer stops, even early. `head` says the source is only the first part of a file (format
 * detection reads so): gzip cut at its end is not an error then, and the unfinished last line
 * comes back as far as it goes, as it does for a plain file cut short. `named` is the file's
 * name when `source` is a stream of it, for the rule on names ending in .gz.
 */
export async function* readTextLines(
  source: string | NodeJS.ReadableStream,
  { head = false, named }: { head?: boolean; named?: string } = {},
): AsyncGenerator<TextLine> {
  const input = typeof source === 'string' ? createReadStream(source) : source;
  const name = typeof source === 'string' ? source : named;
  const forceGunzip = name?.toLowerCase().endsWith('.gz') === true;
  // Text, so a file in UTF-16 with a byte order mark is read as UTF-16 (utf16.ts); the e-mail
  // reader (byte-lines.ts) keeps a message's bytes as they are.
  const bytes = await decompressed(input, forceGunzip, head);
  const text = await utf16AsUtf8(bytes, head);
  const decoder = new StringDecoder('utf8');
  const utf8 = new Utf8LineCheck();
  const notUtf8 = new Set<number>();

  // Split by hand rather than with readline, which keeps a line of any length in one string:
  // a line past MAX_LINE_CHARS is skipped to its end and reported, not held (a 600 MB line
  // would exceed V8's string limit and stop the whole import).
  let line = 0;
  let pending = '';
  let dropping = false;
  const done = (content: string): TextLine => {
    line += 1;
    const result: TextLine = dropping
      ? { line, text: '', tooLong: true }
      : { line, text: content.endsWith('\r') ? content.slice(0, -1) : content };
    if (notUtf8.delete(line) && !dropping) result.notUtf8 = true;
    dropping = false;
    return result;
  };

  try {
    // allChunks, not the stream's own iterator, which drops the last lines of a broken .gz.
    for await (const chunk of allChunks(text)) {
      // A stream set to give strings has decoded them already; bytes are checked here.
      if (typeof chunk !== 'string') utf8.scan(chunk, line + 1, notUtf8);
      // Only the new piece is searched: searching the held text again for every chunk made a
      // long line cost the square of its length (minutes for a line of a few hundred MB).
      const piece = decoder.write(chunk);
      let start = 0;
      let newline = piece.indexOf('\n');
      while (newline >= 0) {
        yield done(pending + piece.slice(start, newline));
        pending = '';
        start = newline + 1;
        newline = piece.indexOf('\n', start);
      }
      // The rest of a line being skipped is not kept.
      if (!dropping) pending += piece.slice(start);
      if (pending.length > MAX_LINE_CHARS) {
        dropping = true;
        pending = '';
      }
    }
    utf8.finish(line + 1, notUtf8);
    const rest = pending + decoder.end();
    if (rest.length > 0 || dropping) yield done(rest);
  } finally {
    // Also reached when the consumer stops early: release the file handle or the stream now.
    text.destroy();
    bytes.destroy();
    if (input instanceof Readable) input.destroy();
  }
}

/**
 * Splits an HTTP body into records. A body that is one JSON document is either a single record
 * (an object, `line` 1) or, for an array, one record per element (`line` = 1-based position).
 * Anything else is read as NDJSON, line by line, so one bad line does not sink the others.
 */
export function* parseRecordsFromBody(body: string): Generator<RecordItem> {
  const text = stripBom(body);
  if (!text.trim()) return;

  const whole = tryParse(text);
  if (whole.ok && Array.isArray(whole.value)) {
    for (const [index, record] of (whole.value as unknown[]).entries()) {
      yield { line: index + 1, record };
    }
    return;
  }
  if (whole.ok) {
    yield { line: 1, record: whole.value };
    return;
  }

  for (const [index, content] of text.split('\n').entries()) {
    const item = parseLine(content, index + 1);
    if (item !== null) yield item;
  }
}

function parseLine(content: string, line: number): RecordItem | null {
  const trimmed = (line === 1 ? stripBom(content) : content).trim();
  if (!trimmed) return null;

  const parsed = tryParse(trimmed);
  return parsed.ok ? { line, record: parsed.value } : { line, error: parsed.error };
}

function tryParse(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    // JSON.parse quotes the line it refused, escape sequences and all; the message is shown to
    // operators, so those become visible code points instead of acting on their terminal.
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, error: escapedControls(message) };
  }
}

// Editors on Windows save UTF-8 with a byte-order mark, which JSON.parse refuses.
function stripBom(text: string): string {
  return text.startsWith('\uFEFF') ? text.slice(1) : text;
}

/**
 * Peeks at the first bytes to spot gzip (RFC 1952 §2.3.1: 1f 8b), then replays them ahead of
 * the rest of the stream, gunzipped when needed. Nothing beyond the first chunk is buffered.
 * For a `head` of a file, zlib gives what it has at the cut (a sync flush) instead of failing.
 * A file named .gz (`forceGunzip`) that is not gzip is refused saying so: zlib's "incorrect
 * header check" would read as damage, and sending the file again would not help.
 */
export async function decompressed(
  input: NodeJS.ReadableStream,
  forceGunzip: boolean,
  head = false,
): Promise<Readable> {
  const { start, all } = await peek(input as AsyncIterable<Buffer | string>, 2);
  const replay = Readable.from(all);
  const gzip = start[0] === 0x1f && start[1] === 0x8b;
  if (forceGunzip && !gzip && start.length > 0) {
    // Thrown before any reader's own clean-up is set: the file is closed here.
    if (input instanceof Readable) input.destroy();
    throw new BreachdeskError(
      'BD_FILE_UNREADABLE',
      'the file is named .gz but is not gzip (it does not begin with bytes 1F 8B); rename it ' +
        'without .gz, or send the compressed file',
      'file',
    );
  }
  if (!gzip && !forceGunzip) return replay;

  const gunzip = createGunzip(head ? { finishFlush: constants.Z_SYNC_FLUSH } : {});
  // pipeline destroys gunzip with any source error, and the line reader rethrows it to the
  // consumer; the callback has nothing left to do.
  pipeline(replay, gunzip, () => undefined);
  return gunzip;
}
