/**
 * A small seeded pseudo-random source for the demo scenario. The same seed always yields the
 * same sequence on every platform, so generated demo files are byte-identical between runs.
 * Not for anything secret: use node:crypto there.
 */

/** Draws from a seeded sequence; every helper consumes the sequence in a fixed order. */
export interface Random {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [min, max], both ends included. */
  int(min: number, max: number): number;
  /** True with probability `p`. */
  chance(p: number): boolean;
  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T;
  /** One element, chosen with probability proportional to `weight(item)`. */
  weighted<T>(items: readonly T[], weight: (item: T) => number): T;
  /** A shuffled copy; the input is left alone. */
  shuffle<T>(items: readonly T[]): T[];
  /** `count` distinct elements in random order. */
  sample<T>(items: readonly T[], count: number): T[];
  /** `length` characters drawn from `alphabet`. */
  chars(alphabet: string, length: number): string;
  /** `length` lowercase hexadecimal digits. */
  hex(length: number): string;
  /** A random (version 4 shaped) UUID. */
  uuid(): string;
}

/**
 * mulberry32: a 32-bit state generator, fast and good enough to make demo data look varied.
 * Returns floats in [0, 1).
 */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;

  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A `Random` over mulberry32 seeded with `seed` (any integer; only the low 32 bits count). */
export function createRandom(seed: number): Random {
  const next = mulberry32(seed);

  const int = (min: number, max: number): number => {
    if (!Number.isInteger(min) || !Number.isInteger(max) || max < min) {
      throw new RangeError(`int(${min}, ${max}) needs integers with min <= max`);
    }
    return min + Math.floor(next() * (max - min + 1));
  };

  const pick = <T>(items: readonly T[]): T => {
    if (items.length === 0) throw new RangeError('pick() needs a non-empty list');
    return items[int(0, items.length - 1)] as T;
  };

  const shuffle = <T>(items: readonly T[]): T[] => {
    const copy = [...items];
    for (let i = copy.length - 1; i > 0; i -= 1) {
      const j = int(0, i);
      [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
    }
    return copy;
  };

  const chars = (alphabet: string, length: number): string => {
    let out = '';
    for (let i = 0; i < length; i += 1) out += alphabet.charAt(int(0, alphabet.length - 1));
    return out;
  };

  return {
    next,
    int,
    chance: (p) => next() < p,
    pick,
    weighted(items, weight) {
      const total = items.reduce((sum, item) => sum + weight(item), 0);
      let roll = next() * total;
      for (const item of items) {
        roll -= weight(item);
        if (roll < 0) return item;
      }
      return pick(items);
    },
    shuffle,
    sample(items, count) {
      if (count > items.length) throw new RangeError(`sample() of ${count} from ${items.length}`);
      return shuffle(items).slice(0, count);
    },
    chars,
    hex: (length) => chars('0123456789abcdef', length),
    uuid() {
      const h = chars('0123456789abcdef', 32);
      const variant = '89ab'.charAt(int(0, 3));
      const time = `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}`;
      return `${time}-${variant}${h.slice(17, 20)}-${h.slice(20)}`;
    },
  };
}
