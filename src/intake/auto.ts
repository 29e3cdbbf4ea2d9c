/**
 * The `auto` intake format: tells the format of a file (or body) from its first records and
 * says which one it chose and why. It decides per file, from the marks each format always
 * writes (src/intake/auto/*-marks.ts), and refuses to guess: no marks, or the marks of two
 * formats, is BD_INTAKE_FORMAT_UNDETECTED naming what was seen. docs/intake-auto.md.
 */
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';

import { fail } from '../domain/errors.ts';
import { jsonMarksOf } from './auto/json-marks.ts';
import { parsePartialJson } from './auto/partial-json.ts';
import { headMarkOf, lineMarkOf } from './auto/text-marks.ts';
import { describe } from './outcome.ts';
import { isContentError, readStopError } from './read-stop.ts';
import { MAX_LINE_CHARS, SPLIT_JSON_HINT, readTextLines } from './records.ts';

/** The formats `auto` can choose, as `--format` names them. */
export const DETECTABLE_FORMATS = [
  'suricata',
  'zeek',
  'wazuh',
  'ecs',
  'ocsf',
  'guardduty',
  'asff',
  'msgraph',
  'crowdstrike',
  'cef',
  'fast',
  'email',
  'generic',
] as const;
export type DetectableFormat = (typeof DETECTABLE_FORMATS)[number];

/**
 * How JSON records are laid out: one object per line, or something else (an array, objects
 * spread over several lines), which only some formats' readers take from a file.
 */
export type JsonLayout = 'json-lines' | 'json-documents';

/** The format chosen and why (and the JSON layout seen), or null and what was seen instead. */
export type Detection =
  | { format: DetectableFormat; reason: string; layout?: JsonLayout }
  | { format: null; reason: string };

/** Bytes of a file read to detect its format (before gunzip). */
export const SNIFF_BYTES = 64 * 1024;

/**
 * Bytes of a gzip file read instead: compressed, a first record of a few hundred kilobytes can
 * outgrow SNIFF_BYTES, and gunzip yields no line from a cut block. Still bounded, so that a
 * file built to expand a thousandfold costs about a second, not the whole file.
 */
export const SNIFF_GZIP_BYTES = 16 * SNIFF_BYTES;

/** Lines of a file or body looked at. */
export const SNIFF_LINES = 200;

/** Records (JSON objects or text lines) compared; they must agree on one format. */
export const RECORDS_CHECKED = 5;

const FORMAT_NAMES: Record<DetectableFormat, string> = {
  suricata: 'Suricata EVE',
  zeek: 'Zeek log',
  wazuh: 'Wazuh alert',
  ecs: 'Elastic Common Schema',
  ocsf: 'OCSF',
  guardduty: 'GuardDuty finding',
  asff: 'Security Hub ASFF finding',
  msgraph: 'Microsoft Graph security alert',
  crowdstrike: 'CrowdStrike detection summary',
  cef: 'CEF',
  fast: 'IDS fast alert log',
  email: 'e-mail message',
  generic: 'Breachdesk generic JSON',
};

/** One record looked at: where it is and the marks it carries. */
interface Vote {
  where: string;
  marks: Array<{ format: DetectableFormat; seen: string }>;
}

/** What was looked at: the votes, and how to describe the sample when nothing matched. */
interface Looked {
  votes: Vote[];
  unmatched: string;
  layout?: JsonLayout;
}

/**
 * Detects the format of a sample: the first lines of a file, in order from line 1 (blank
 * lines included, so line numbers match an editor). Pure; never throws.
 *
 * JSON is read as JSON lines, a JSON array, or a multi-line document that may be cut short;
 * up to RECORDS_CHECKED records must all carry the marks of one format (records with no
 * marks are tolerated, e.g. a Zeek line the adapter will skip). Text is read as a file head
 * (Zeek header, mbox or mail headers) or as lines (CEF, fast).
 */
export function detectFormat(sample: { firstLines: string[] }): Detection {
  const lines = sample.firstLines.slice(0, SNIFF_LINES);
  if (lines[0]?.startsWith('\uFEFF')) lines[0] = lines[0].slice(1);

  const start = lines.findIndex((line) => line.trim() !== '');
  if (start < 0) return { format: null, reason: 'there is no non-blank line to look at' };

  const first = (lines[start] ?? '').trim();
  const looked =
    first.startsWith('{') || first.startsWith('[')
      ? lookAtJson(lines, start)
      : lookAtText(lines, start);
  return decide(looked);
}

/**
 * The format chosen for `source` (a file name, or "the body"), or BD_INTAKE_FORMAT_UNDETECTED
 * saying what was seen and listing the formats that can be named instead.
 */
export function chosenFormat(
  detection: Detection,
  source: string,
): { format: DetectableFormat; reason: string; layout?: JsonLayout } {
  if (detection.format !== null) return detection;

  return fail(
    'BD_INTAKE_FORMAT_UNDETECTED',
    `cannot tell the format of ${source}: ${detection.reason}; ` +
      `name it with --format (or in the intake URL): ${DETECTABLE_FORMATS.join(', ')}`,
    'format',
  );
}

/**
 * Detects the format of a file from at most its first SNIFF_BYTES bytes (of a gzip file, its
 * first SNIFF_GZIP_BYTES, gunzipped), and throws BD_INTAKE_FORMAT_UNDETECTED when it cannot.
 * File errors (missing, unreadable) are thrown as they come, like any other read of a file
 * named by a user. The file is read twice, to detect and then to import, so it must be a
 * regular file: a pipe would be half used up by the first read.
 */
export async function sniffFile(
  path: string,
): Promise<{ format: DetectableFormat; reason: string; layout?: JsonLayout }> {
  const info = await stat(path);
  if (!info.isFile()) {
    fail(
      'BD_FILE_UNREADABLE',
      `${path}: --format auto reads the start of a file before importing it, and this is not ` +
        'a regular file (a pipe, say); name the format with --format, or save it to a file first',
      'file',
    );
  }
  const window = (await isGzip(path)) ? SNIFF_GZIP_BYTES : SNIFF_BYTES;
  const cut = info.size > window;
  const lines: string[] = [];
  let overLong: number | null = null;
  let stoppedEarly = false;

  try {
    const head = createReadStream(path, { start: 0, end: window - 1 });
    for await (const { line, text, tooLong } of readTextLines(head, { head: cut, named: path })) {
      if (tooLong && overLong === null && lines.every((l) => l.trim() === '')) overLong = line;
      lines.push(text);
      stoppedEarly = lines.length >= SNIFF_LINES;
      if (stoppedEarly) break;
    }
  } catch (error) {
    // The lines before a break in the file itself (a .gz cut short or damaged, broken UTF-16)
    // stand: the import meets the break again and reports it with its counts. A break before
    // any line is said here, naming the file. (The cut at the window is no break: read as a
    // head, the text there ends where the window does.)
    if (!isContentError(error)) throw error;
    if (lines.length === 0) throw readStopError(path, { error, lastLine: 0 });
  }

  if (overLong !== null) {
    // Naming a format would not help: no reader takes a line this long.
    fail(
      'BD_INTAKE_FORMAT_UNDETECTED',
      `cannot tell the format of ${path}: line ${overLong} is longer than ` +
        `${MAX_LINE_CHARS / 1024 / 1024} MiB, the most one line may hold, and no format reads ` +
        `it; write one record per line first (${SPLIT_JSON_HINT}, after gunzip)`,
      'format',
    );
  }
  // The last line read from a cut file is cut too, unless it is all there is to go on.
  const lastIsAll = lines.slice(0, -1).every((line) => line.trim() === '');
  if (cut && !stoppedEarly && !lastIsAll) lines.pop();
  return chosenFormat(detectFormat({ firstLines: lines }), path);
}

/** True when the file starts with the gzip magic bytes (RFC 1952 §2.3.1: 1f 8b). */
async function isGzip(path: string): Promise<boolean> {
  const file = await open(path, 'r');
  try {
    const { buffer, bytesRead } = await file.read(Buffer.alloc(2), 0, 2, 0);
    return bytesRead === 2 && buffer[0] === 0x1f && buffer[1] === 0x8b;
  } finally {
    await file.close();
  }
}

/** Detects the format of an HTTP body from its first lines, as sniffFile does for a file. */
export function sniffBody(body: string): { format: DetectableFormat; reason: string } {
  const head = body.slice(0, SNIFF_BYTES).split(/\r?\n/, SNIFF_LINES);
  return chosenFormat(detectFormat({ firstLines: head }), 'the body');
}

function lookAtJson(lines: readonly string[], start: number): Looked {
  const firstLine = (lines[start] ?? '').trim();
  const whole = tryParse(firstLine);

  // One object per line: JSON lines (NDJSON), the layout of most alert exports.
  if (whole.ok && !Array.isArray(whole.value)) {
    const votes: Vote[] = [];
    for (let index = start; index < lines.length && votes.length < RECORDS_CHECKED; index += 1) {
      const parsed = tryParse((lines[index] ?? '').trim());
      if (parsed.ok) votes.push(voteOn(parsed.value, `line ${index + 1}`));
    }
    const unmatched = unmatchedJson(whole.value, `line ${start + 1}`, null);
    return { votes, unmatched, layout: 'json-lines' };
  }

  // A JSON array, or one document over many lines (pretty-printed), possibly cut short.
  const document = whole.ok
    ? { value: whole.value, error: null }
    : parsePartialJson(lines.slice(start).join('\n'));
  const records = Array.isArray(document.value) ? document.value : [document.value];
  if (records.length === 0) {
    return { votes: [], unmatched: `the array on line ${start + 1} is empty` };
  }
  const where = (index: number): string =>
    Array.isArray(document.value)
      ? `element ${index + 1} of the array on line ${start + 1}`
      : `the document on line ${start + 1}`;

  const votes = records
    .filter((record) => record !== undefined)
    .slice(0, RECORDS_CHECKED)
    .map((record, index) => voteOn(record, where(index)));
  const unmatched = unmatchedJson(records[0], where(0), document.error);
  return { votes, unmatched, layout: documentsOrLines(lines, start) };
}

/**
 * How JSON that is not one whole object on its first line is laid out. An array is documents.
 * An object is, when the next line is not whole JSON either (a pretty-printed object goes on);
 * when it is, or nothing follows, the first line was cut at the window or is broken, and the
 * file is JSON lines all the same.
 */
function documentsOrLines(lines: readonly string[], start: number): JsonLayout {
  if ((lines[start] ?? '').trim().startsWith('[')) return 'json-documents';

  const next = lines.slice(start + 1).find((line) => line.trim() !== '');
  return next !== undefined && !tryParse(next.trim()).ok ? 'json-documents' : 'json-lines';
}

function lookAtText(lines: readonly string[], start: number): Looked {
  const head = headMarkOf(lines.slice(start));
  if (head !== null)
    return { votes: [{ where: `line ${start + 1}`, marks: [head] }], unmatched: '' };

  const votes: Vote[] = [];
  for (let index = start; index < lines.length && votes.length < RECORDS_CHECKED; index += 1) {
    const line = lines[index] ?? '';
    if (line.trim() === '') continue;

    const mark = lineMarkOf(line);
    votes.push({ where: `line ${index + 1}`, marks: mark === null ? [] : [mark] });
  }

  const unmatched =
    `line ${start + 1} is not JSON and has none of the text formats' marks (a "CEF:" header, ` +
    `"[**] [gid:sid:rev]", a Zeek "#separator" header, mail header fields); it starts ` +
    describe((lines[start] ?? '').trim().slice(0, 60));
  return { votes, unmatched };
}

function voteOn(record: unknown, where: string): Vote {
  if (typeof record !== 'object' || record === null || Array.isArray(record)) {
    return { where, marks: [] };
  }
  return { where, marks: jsonMarksOf(record as Record<string, unknown>) };
}

function decide({ votes, unmatched, layout }: Looked): Detection {
  const byFormat = new Map<DetectableFormat, Array<{ where: string; seen: string }>>();
  for (const vote of votes) {
    for (const mark of vote.marks) {
      const seen = { where: vote.where, seen: mark.seen };
      byFormat.set(mark.format, [...(byFormat.get(mark.format) ?? []), seen]);
    }
  }

  const formats = [...byFormat.keys()];
  const [format] = formats;
  if (format === undefined) return { format: null, reason: unmatched };

  if (formats.length > 1) {
    const seen = formats.map(
      (f) => `${f} (${byFormat.get(f)?.[0]?.where}: ${byFormat.get(f)?.[0]?.seen})`,
    );
    return {
      format: null,
      reason: `the records carry the marks of more than one format: ${seen.join(', ')}`,
    };
  }

  const agreeing = byFormat.get(format) ?? [];
  const [firstMatch] = agreeing;
  const tally = votes.length > 1 ? ` (${agreeing.length} of ${votes.length} records checked)` : '';
  return {
    format,
    reason: `${FORMAT_NAMES[format]}: ${firstMatch?.where} has ${firstMatch?.seen}${tally}`,
    ...(layout === undefined ? {} : { layout }),
  };
}

function unmatchedJson(record: unknown, where: string, error: string | null): string {
  const broken = error === null ? '' : `; the JSON is not valid: ${error}`;

  if (record === undefined) return `${where} holds no complete JSON value${broken}`;
  if (typeof record !== 'object' || record === null || Array.isArray(record)) {
    return `${where} is ${describe(record)}, not a JSON object${broken}`;
  }

  const keys = Object.keys(record);
  if (keys.length === 0) return `${where} is an object with no keys${broken}`;
  const shown = keys.slice(0, 12).join(', ') + (keys.length > 12 ? ', …' : '');
  return `no format's marks in the records checked; ${where} has the keys ${shown}${broken}`;
}

function tryParse(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}
