/**
 * A JSON reader for the head of a file: it keeps whatever was read before the text ran out
 * or went wrong, so a pretty-printed document cut after a few KB still shows its first keys.
 */

/** What could be read: the value (containers possibly incomplete) and why reading stopped. */
export interface PartialJson {
  value: unknown;
  /** True when one whole JSON value was read. */
  complete: boolean;
  /** Where and why reading stopped early, or null when the text ran out or all was read. */
  error: string | null;
}

const MAX_DEPTH = 256;
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
// RFC 8259 §2: the only whitespace between tokens.
const JSON_SPACE = ' \t\n\r';

class Stop extends Error {
  constructor(readonly why: string | null) {
    super(why ?? 'end of text');
  }
}

/**
 * Reads the first JSON value in `text`. Containers are kept as far as they were read;
 * a string, number or literal cut short is left out. Never throws.
 */
export function parsePartialJson(text: string): PartialJson {
  const reader = new Reader(text);
  let root: unknown;

  try {
    reader.value((value) => (root = value), 0);
    return { value: root, complete: true, error: null };
  } catch (error) {
    if (!(error instanceof Stop)) throw error;
    return { value: root, complete: false, error: error.why };
  }
}

class Reader {
  private at = 0;

  constructor(private readonly text: string) {}

  value(assign: (value: unknown) => void, depth: number): void {
    if (depth > MAX_DEPTH) this.stop('nesting is too deep');

    const next = this.peek();
    if (next === '{') return this.object(assign, depth);
    if (next === '[') return this.array(assign, depth);
    if (next === '"') return assign(this.string());
    if (next === '-' || (next >= '0' && next <= '9')) return assign(this.number());
    for (const [word, value] of [
      ['true', true],
      ['false', false],
      ['null', null],
    ] as const) {
      if (this.text.startsWith(word, this.at)) {
        this.at += word.length;
        return assign(value);
      }
      const rest = this.text.slice(this.at, this.at + word.length);
      if (rest.length < word.length && word.startsWith(rest)) this.stop(null);
    }
    this.stop(`unexpected ${JSON.stringify(next)}`);
  }

  private object(assign: (value: unknown) => void, depth: number): void {
    const object: Record<string, unknown> = {};
    assign(object);
    this.at += 1;

    if (this.peek() === '}') return void (this.at += 1);
    for (;;) {
      if (this.peek() !== '"') this.stop('expected a quoted key');
      const key = this.string();
      this.expect(':');
      // defineProperty, not assignment: a key such as `__proto__` must stay an own key.
      this.value((value) => define(object, key, value), depth + 1);
      if (this.separator('}')) return;
    }
  }

  private array(assign: (value: unknown) => void, depth: number): void {
    const array: unknown[] = [];
    assign(array);
    this.at += 1;

    if (this.peek() === ']') return void (this.at += 1);
    for (;;) {
      this.value((value) => array.push(value), depth + 1);
      if (this.separator(']')) return;
    }
  }

  /** True at the closing bracket, false after a comma. */
  private separator(close: string): boolean {
    const next = this.peek();
    this.at += 1;
    if (next === close) return true;
    if (next !== ',') this.stop(`expected "," or ${JSON.stringify(close)}`);
    return false;
  }

  private string(): string {
    const start = this.at;

    for (let index = start + 1; index < this.text.length; index += 1) {
      const code = this.text.charCodeAt(index);
      if (code === 0x5c) index += 1;
      if (code < 0x20) this.stopAt(index, 'control character in a string');
      if (code !== 0x22) continue;

      this.at = index + 1;
      try {
        return JSON.parse(this.text.slice(start, index + 1)) as string;
      } catch {
        this.stopAt(start, 'bad escape in a string');
      }
    }
    return this.stop(null);
  }

  private number(): number {
    NUMBER.lastIndex = this.at;
    const match = NUMBER.exec(this.text);
    if (!match) this.stop('bad number');
    this.at += match[0].length;

    // A number touching the end of the text may have lost digits.
    if (this.at >= this.text.length) this.stop(null);
    return Number(match[0]);
  }

  private expect(character: string): void {
    if (this.peek() !== character) this.stop(`expected ${JSON.stringify(character)}`);
    this.at += 1;
  }

  private peek(): string {
    while (JSON_SPACE.includes(this.text[this.at] ?? '-')) this.at += 1;
    if (this.at >= this.text.length) this.stop(null);
    return this.text[this.at] ?? '';
  }

  private stopAt(at: number, why: string): never {
    this.at = at;
    return this.stop(why);
  }

  private stop(why: string | null): never {
    if (why === null) throw new Stop(null);
    const before = this.text.slice(0, this.at);
    const line = before.split('\n').length;
    const column = this.at - before.lastIndexOf('\n');
    throw new Stop(`${why} at line ${line}, column ${column}`);
  }
}

function define(object: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(object, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}
