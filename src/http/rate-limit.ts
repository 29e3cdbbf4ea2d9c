/**
 * Token buckets in memory, one per key (a client address, a token): a bucket holds up to
 * `burst` requests and regains `perSecond` of them each second. Pure apart from the maps it
 * keeps; the caller passes the time. State is per process and starts empty on restart.
 */

export interface BucketSettings {
  /** Requests that may arrive at once. */
  burst: number;
  /** Requests regained per second. */
  perSecond: number;
}

/** How many keys the buckets hold (see TokenBuckets). */
export interface KeyLimits {
  /** Keys kept before unlocked ones are forgotten, least recently used first. */
  maxKeys: number;
  /** Keys kept at most while all of them are locked; default 4 × maxKeys. */
  hardMaxKeys: number;
}

export const DEFAULT_MAX_KEYS = 10_000;

interface Bucket {
  tokens: number;
  at: number;
}

/** Outcome of a take: allowed, or refused with the seconds until one request is regained. */
export type TakeResult = { allowed: true } | { allowed: false; retryAfterSeconds: number };

const ALLOWED: TakeResult = { allowed: true };

/**
 * Buckets whose number of keys stays bounded. Past `maxKeys` the least recently used key that
 * has a request left is forgotten (it starts full if it comes back). A locked key (no request
 * left) is never forgotten: a lock is what stops a guesser, and a flood of other keys must not
 * lift it. When every key is locked the table grows up to `hardMaxKeys`, and past that a new
 * key is refused until a lock lapses. Refusing is the safe side: tracking the new key would
 * need a lock dropped, and admitting it untracked would let it guess without limit.
 */
export class TokenBuckets {
  // Keys that had a request left when last seen, least recently used first. Every bucket here
  // holds at least one token, so forgetting one never lifts a lock.
  private readonly open = new Map<string, Bucket>();
  // Keys that were locked when last seen, least recently used first.
  private readonly held = new Map<string, Bucket>();
  // No held key regains a request before this time, so until then none needs looking at.
  private heldUntil = Infinity;
  private readonly maxKeys: number;
  private readonly hardMaxKeys: number;

  constructor(
    private readonly settings: BucketSettings,
    keys: Partial<KeyLimits> = {},
  ) {
    if (!(settings.burst >= 1) || !(settings.perSecond > 0)) {
      throw new RangeError('a rate limit needs burst >= 1 and perSecond > 0');
    }
    this.maxKeys = keys.maxKeys ?? DEFAULT_MAX_KEYS;
    this.hardMaxKeys = keys.hardMaxKeys ?? 4 * this.maxKeys;
    if (!(this.maxKeys >= 1) || !(this.hardMaxKeys >= this.maxKeys)) {
      throw new RangeError('a rate limit needs maxKeys >= 1 and hardMaxKeys >= maxKeys');
    }
  }

  /** Keys held now, locked or not. */
  get size(): number {
    return this.open.size + this.held.size;
  }

  /** Takes one request from `key`'s bucket when it has one. */
  take(key: string, nowMs: number): TakeResult {
    const bucket = this.touch(key, nowMs) ?? this.track(nowMs);
    if (bucket === null) return this.tableFull(nowMs);

    const result = bucket.tokens < 1 ? this.refusal(bucket) : ALLOWED;
    if (result.allowed) bucket.tokens -= 1;
    this.file(key, bucket);
    return result;
  }

  /** Gives back one request taken from `key` (never beyond the burst). */
  giveBack(key: string, nowMs: number): void {
    // A key not held has a full bucket: there is nothing to give back to.
    const bucket = this.touch(key, nowMs);
    if (bucket === undefined) return;

    bucket.tokens = Math.min(this.settings.burst, bucket.tokens + 1);
    this.file(key, bucket);
  }

  /** Like take, but only looks: the bucket keeps what it has. */
  peek(key: string, nowMs: number): TakeResult {
    const bucket = this.touch(key, nowMs);
    if (bucket === undefined) return this.hasRoom(nowMs) ? ALLOWED : this.tableFull(nowMs);

    this.file(key, bucket);
    return bucket.tokens < 1 ? this.refusal(bucket) : ALLOWED;
  }

  /** `key`'s bucket refilled to now and taken out of its map (file puts it back), if held. */
  private touch(key: string, nowMs: number): Bucket | undefined {
    const bucket = this.open.get(key) ?? this.held.get(key);
    if (bucket === undefined) return undefined;

    this.open.delete(key);
    this.held.delete(key);
    this.refill(bucket, nowMs);
    return bucket;
  }

  /** Files `key` as most recently used, among the locked keys when it has no request left. */
  private file(key: string, bucket: Bucket): void {
    if (bucket.tokens >= 1) {
      this.open.set(key, bucket);
      return;
    }
    this.held.set(key, bucket);
    this.heldUntil = Math.min(this.heldUntil, this.unlocksAt(bucket));
  }

  /** A full bucket for a new key, after making room; null when every key is locked. */
  private track(nowMs: number): Bucket | null {
    if (this.size >= this.maxKeys) {
      this.release(nowMs);
      // Above maxKeys only locks are worth keeping, so the table shrinks back as they lapse.
      for (const key of this.open.keys()) {
        if (this.size < this.maxKeys) break;
        this.open.delete(key);
      }
    }
    if (this.size >= this.hardMaxKeys) return null;

    return { tokens: this.settings.burst, at: nowMs };
  }

  /** Whether `track` would find room for a new key; forgets nothing. */
  private hasRoom(nowMs: number): boolean {
    if (this.size < this.hardMaxKeys) return true;

    this.release(nowMs);
    return this.open.size > 0;
  }

  /**
   * Moves held keys that have regained a request to the open ones, as if just used: having
   * been locked lately, they are the last worth forgetting.
   */
  private release(nowMs: number): void {
    if (nowMs < this.heldUntil) return;

    this.heldUntil = Infinity;
    for (const [key, bucket] of this.held) {
      this.refill(bucket, nowMs);
      if (bucket.tokens >= 1) {
        this.held.delete(key);
        this.open.set(key, bucket);
      } else {
        this.heldUntil = Math.min(this.heldUntil, this.unlocksAt(bucket));
      }
    }
  }

  private refill(bucket: Bucket, nowMs: number): void {
    const { burst, perSecond } = this.settings;
    const elapsed = Math.max(0, nowMs - bucket.at) / 1000;
    bucket.tokens = Math.min(burst, bucket.tokens + elapsed * perSecond);
    bucket.at = nowMs;
  }

  private unlocksAt(bucket: Bucket): number {
    return bucket.at + ((1 - bucket.tokens) / this.settings.perSecond) * 1000;
  }

  private refusal(bucket: Bucket): TakeResult {
    const seconds = (1 - bucket.tokens) / this.settings.perSecond;
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(seconds)) };
  }

  private tableFull(nowMs: number): TakeResult {
    const seconds = (this.heldUntil - nowMs) / 1000;
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(seconds)) };
  }
}
