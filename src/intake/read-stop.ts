/**
 * Reading a file's records to its end or to the first read error, whichever comes first. A
 * .gz copied while still being written ends in the middle of a block: what was read before
 * the break is still taken in, and the caller learns where and why reading stopped, so it
 * can report what was stored and ask for the file again (resends are idempotent).
 */
import { BreachdeskError } from '../domain/errors.ts';
import type { RecordItem } from './records.ts';

/** Why reading stopped before the end of the file, and after which line. */
export interface ReadStop {
  error: unknown;
  /** The line of the last record read before the error; 0 when none was read. */
  lastLine: number;
}

export interface StoppableRecords {
  records: AsyncIterable<RecordItem>;
  /** Why reading stopped early, or null while reading goes on and after a complete read. */
  stop(): ReadStop | null;
}

/**
 * The records of `source` until it throws. The error ends the iteration like the end of the
 * file would, and is kept for stop(); records already handed on are not taken back.
 */
export function untilReadError(source: AsyncIterable<RecordItem>): StoppableRecords {
  let stop: ReadStop | null = null;

  async function* records(): AsyncGenerator<RecordItem> {
    const iterator = source[Symbol.asyncIterator]();
    let lastLine = 0;
    try {
      for (;;) {
        let next: IteratorResult<RecordItem>;
        try {
          next = await iterator.next();
        } catch (error) {
          stop = { error, lastLine };
          return;
        }
        if (next.done === true) return;

        lastLine = next.value.line;
        yield next.value;
      }
    } finally {
      // A consumer that stops early must still release the file.
      await iterator.return?.();
    }
  }

  return { records: records(), stop: () => stop };
}

/**
 * The coded error for a read of `file` that stopped early: BD_FILE_UNREADABLE naming the
 * file, what broke (a gzip stream that ends early says so in zlib's words) and the line
 * after which nothing more was read.
 */
export function readStopError(file: string, stop: ReadStop): BreachdeskError {
  // A record may span lines (an e-mail message): the line given is where the last one began.
  const after =
    stop.lastLine > 0
      ? ` after the record that begins on line ${stop.lastLine}`
      : ' before the end of the first line';
  const stored =
    stop.lastLine > 0
      ? ' The counts say what was stored before that.'
      : ' Nothing from this file was stored.';
  // The readers' own refusals (UTF-32, broken UTF-16, mail in UTF-16) say what to do with the
  // file; sending the same file again would not help.
  const resend =
    stop.error instanceof BreachdeskError
      ? ''
      : stop.lastLine > 0
        ? ' Send the complete file again (records already stored come back as repeats).'
        : ' Send the complete file again.';
  const advice = `${stored}${resend}`;
  return new BreachdeskError(
    'BD_FILE_UNREADABLE',
    `${file}: ${whatBroke(stop.error)}; reading stopped${after}.${advice}`,
    'file',
  );
}

/**
 * True when the file opened but what it holds is broken: zlib's errors for gzip, and the coded
 * errors of the readers (UTF-16 that is not). Unlike a missing file, such a stop is reported
 * with the counts even before the first line.
 */
export function isContentError(error: unknown): boolean {
  return (
    isCompressionError(error) ||
    (error instanceof BreachdeskError && error.code === 'BD_FILE_UNREADABLE')
  );
}

/** zlib's "unexpected end of file" (Z_BUF_ERROR): the gzip data stops before its end. */
export function isCompressedEarlyEnd(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | null)?.code === 'Z_BUF_ERROR';
}

/** True for zlib's errors: the file opened, but its gzip content is broken. */
export function isCompressionError(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' && code.startsWith('Z_');
}

function whatBroke(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof BreachdeskError) return message;

  if (isCompressedEarlyEnd(error)) {
    return `the compressed input ended early (${message})`;
  }
  if (isCompressionError(error)) return `the compressed input is damaged (${message})`;
  return `it could not be read to its end (${message})`;
}
