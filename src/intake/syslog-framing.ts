/**
 * Syslog over TCP: splitting the byte stream into messages per RFC 6587. Both framings are
 * read, chosen per message by its first byte as RFC 6587 §3.4 permits: a digit starts octet
 * counting (`MSG-LEN SP SYSLOG-MSG`, §3.4.1), anything else is non-transparent framing ended
 * by LF (§3.4.2; a CR before the LF is dropped too). UDP datagrams are split by datagramFrames.
 * Pure: bytes in, frames out.
 */

/** One framed message, or a message over the size limit (its bytes are discarded). */
export type Frame =
  | { kind: 'message'; bytes: Buffer }
  | { kind: 'oversize'; size: number }
  | { kind: 'truncated'; size: number };

const LF = 0x0a;
const CR = 0x0d;
const NUL = 0x00;
const SPACE = 0x20;
// MSG-LEN digits beyond this cannot be a real length; the frame is read as LF-framed text.
const MAX_LENGTH_DIGITS = 10;

/** Splits one connection's bytes into frames; feed it every chunk, then call end(). */
export class SyslogFramer {
  private buffer: Buffer = Buffer.alloc(0);
  /** Bytes of an oversize octet-counted message still to discard. */
  private skipBytes = 0;
  /** An oversize LF-framed message is being discarded up to its LF. */
  private skipLine = false;

  constructor(private readonly maxBytes: number) {}

  /** The frames completed by `chunk`, in order. */
  push(chunk: Buffer): Frame[] {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const frames: Frame[] = [];

    for (let frame = this.next(); frame !== null; frame = this.next()) frames.push(frame);
    return frames;
  }

  /**
   * What is left when the sender closes: an LF-framed message without its final LF is taken;
   * an octet-counted message shorter than its MSG-LEN is reported truncated.
   */
  end(): Frame[] {
    const rest = this.buffer;
    this.buffer = Buffer.alloc(0);
    if (this.skipLine || this.skipBytes > 0 || rest.length === 0) return [];

    const counted = countedLength(rest);
    if (counted !== null && counted !== 'incomplete') {
      return [{ kind: 'truncated', size: counted.length }];
    }
    const text = trimTrailer(rest);
    return text.length === 0 ? [] : [this.sized(text)];
  }

  private next(): Frame | null {
    if (!this.discard()) return null;

    // Stray line ends and NULs between frames carry nothing.
    let start = 0;
    while (start < this.buffer.length && isFiller(this.buffer[start])) start += 1;
    this.buffer = this.buffer.subarray(start);
    if (this.buffer.length === 0) return null;

    const counted = countedLength(this.buffer);
    if (counted === 'incomplete') return null;
    return counted === null ? this.lineFrame() : this.countedFrame(counted);
  }

  /** Drops the rest of an oversize message; false while more of it is still to come. */
  private discard(): boolean {
    if (this.skipBytes > 0) {
      const dropped = Math.min(this.skipBytes, this.buffer.length);
      this.skipBytes -= dropped;
      this.buffer = this.buffer.subarray(dropped);
      if (this.skipBytes > 0) return false;
    }
    if (this.skipLine) {
      const end = this.buffer.indexOf(LF);
      this.buffer = end < 0 ? Buffer.alloc(0) : this.buffer.subarray(end + 1);
      this.skipLine = end < 0;
      if (this.skipLine) return false;
    }
    return true;
  }

  private countedFrame(header: { length: number; headerBytes: number }): Frame | null {
    const { length, headerBytes } = header;
    if (length > this.maxBytes) {
      this.buffer = this.buffer.subarray(headerBytes);
      this.skipBytes = length;
      return { kind: 'oversize', size: length };
    }
    if (this.buffer.length < headerBytes + length) return null;

    const bytes = this.buffer.subarray(headerBytes, headerBytes + length);
    this.buffer = this.buffer.subarray(headerBytes + length);
    return { kind: 'message', bytes: Buffer.from(bytes) };
  }

  private lineFrame(): Frame | null {
    const end = this.buffer.indexOf(LF);
    if (end < 0) {
      // Without its LF yet; past the limit it can only be discarded, up to the LF to come.
      if (this.buffer.length <= this.maxBytes) return null;
      const size = this.buffer.length;
      this.buffer = Buffer.alloc(0);
      this.skipLine = true;
      return { kind: 'oversize', size };
    }

    const text = trimTrailer(this.buffer.subarray(0, end));
    this.buffer = this.buffer.subarray(end + 1);
    return this.sized(Buffer.from(text));
  }

  private sized(bytes: Buffer): Frame {
    return bytes.length > this.maxBytes
      ? { kind: 'oversize', size: bytes.length }
      : { kind: 'message', bytes };
  }
}

// A CEF record, or a syslog message with PRI, starts here; anything else continues a message.
const MESSAGE_START = /^<\d{1,3}>|(?:^|\s)CEF:\d/;

/**
 * The messages of one UDP datagram. RFC 5426 §3.1 sends one message per datagram, but relays
 * and CEF forwarders batch several into one, each ended by LF. A line holding a CEF record or
 * starting with `<PRI>` begins a message; any other line continues the one before it (a line
 * break inside a message, as a lone datagram may carry). Empty lines, a CR before an LF and
 * trailing NULs are dropped, so a trailing LF adds no message.
 */
export function datagramFrames(bytes: Buffer, maxBytes: number): Frame[] {
  const messages: Buffer[][] = [];

  let start = 0;
  while (start < bytes.length) {
    const lf = bytes.indexOf(LF, start);
    const end = lf < 0 ? bytes.length : lf;
    const line = trimFiller(bytes.subarray(start, end));
    start = end + 1;

    const text = line.toString('latin1');
    if (text.trim() === '') continue;

    const current = messages.at(-1);
    if (current === undefined || MESSAGE_START.test(text)) messages.push([line]);
    else current.push(Buffer.from([LF]), line);
  }

  return messages.map((parts) => {
    const message = Buffer.concat(parts);
    return message.length > maxBytes
      ? { kind: 'oversize', size: message.length }
      : { kind: 'message', bytes: message };
  });
}

/**
 * `MSG-LEN SP` at the start of `buffer` (RFC 6587 §3.4.1: NONZERO-DIGIT *DIGIT), 'incomplete'
 * while only digits have arrived, or null when the frame is not octet-counted.
 */
function countedLength(
  buffer: Buffer,
): { length: number; headerBytes: number } | 'incomplete' | null {
  const first = buffer[0];
  if (first === undefined || first < 0x31 || first > 0x39) return null;

  let end = 1;
  while (end < buffer.length && end <= MAX_LENGTH_DIGITS && isDigit(buffer[end])) end += 1;
  if (end > MAX_LENGTH_DIGITS) return null;
  if (end === buffer.length) return 'incomplete';
  if (buffer[end] !== SPACE) return null;

  return { length: Number(buffer.subarray(0, end).toString('latin1')), headerBytes: end + 1 };
}

function trimTrailer(bytes: Buffer): Buffer {
  let end = bytes.length;
  while (end > 0 && (bytes[end - 1] === CR || bytes[end - 1] === LF)) end -= 1;
  return bytes.subarray(0, end);
}

/** Without the CRs and NULs that end it. */
function trimFiller(bytes: Buffer): Buffer {
  let end = bytes.length;
  while (end > 0 && (bytes[end - 1] === CR || bytes[end - 1] === NUL)) end -= 1;
  return bytes.subarray(0, end);
}

function isDigit(byte: number | undefined): boolean {
  return byte !== undefined && byte >= 0x30 && byte <= 0x39;
}

function isFiller(byte: number | undefined): boolean {
  return byte === LF || byte === CR || byte === NUL;
}
