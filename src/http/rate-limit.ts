/**
 * Token buckets in memory, one per key (a client address, a token): a bucket holds up to
 * `burst` requests and regains `perSecond` of them each second. Pure apart from the map it
 * keeps; the caller passes the time. State is per process and starts empty on restart.
 */

export interface BucketSettings {
  /** Requests that may arrive at once. */
  burst: number;
  /** Requests regained per second. */
  perSecond: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/** Outcome of a take: allowed, or refused with the seconds until one request is regained. */
export type TakeResult = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/** Buckets share one map so the number of keys held stays bounded. */
export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly settings: BucketSettings,
    private readonly maxKeys = 10_000,
  ) {
    if (!(settings.burst >= 1) || !(settings.perSecond > 0)) {
      throw new RangeError('a rate limit needs burst >= 1 and perSecond > 0');
    }
  }

  /** Takes one request from `key`'s bucket when it has one. */
  take(key: string, nowMs: number): TakeResult {
    const bucket = this.refilled(key, nowMs);
    if (bucket.tokens < 1) return this.refusal(bucket);

    bucket.tokens -= 1;
    return { allowed: true };
  }

  /** Gives back one request taken from `key` (never beyond the burst). */
  giveBack(key: string, nowMs: number): void {
    const bucket = this.refilled(key, nowMs);
    bucket.tokens = Math.min(this.settings.burst, bucket.tokens + 1);
  }

  /** Like take, but only looks: the bucket keeps what it has. */
  peek(key: string, nowMs: number): TakeResult {
    const bucket = this.buckets.get(key);
    if (!bucket) return { allowed: true };

    const current = this.refilled(key, nowMs);
    return current.tokens < 1 ? this.refusal(current) : { allowed: true };
  }

  private refilled(key: string, nowMs: number): Bucket {
    const { burst, perSecond } = this.settings;
    let bucket = this.buckets.get(key);
    if (!bucket) {
      // Past the cap the oldest key goes; it starts full again if it comes back.
      if (this.buckets.size >= this.maxKeys) {
        const oldest = this.buckets.keys().next();
        if (!oldest.done) this.buckets.delete(oldest.value);
      }
      bucket = { tokens: burst, at: nowMs };
      this.buckets.set(key, bucket);
      return bucket;
    }

    const elapsed = Math.max(0, nowMs - bucket.at) / 1000;
    bucket.tokens = Math.min(burst, bucket.tokens + elapsed * perSecond);
    bucket.at = nowMs;
    return bucket;
  }

  private refusal(bucket: Bucket): TakeResult {
    const seconds = (1 - bucket.tokens) / this.settings.perSecond;
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(seconds)) };
  }
}
