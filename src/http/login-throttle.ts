/**
 * Sign-in throttling, per account and per client address, on the token buckets of
 * src/http/rate-limit.ts: an account that had `failures` wrong passwords within `windowMinutes`
 * (or an address that had its share) is refused with 429 before any password is checked, and
 * regains one attempt every windowMinutes / failures. Each attempt is counted when admitted
 * and given back when the password was right. State is in memory, per process. Addresses are
 * counted by src/http/address-key.ts: an IPv6 client by its /64.
 */
import { addressKey } from './address-key.ts';
import { type TakeResult, TokenBuckets } from './rate-limit.ts';

export interface FailureLimit {
  failures: number;
  windowMinutes: number;
}

export interface LoginLimits {
  perAccount: FailureLimit;
  perAddress: FailureLimit;
  /** Accounts, and addresses, each table keeps before forgetting unlocked ones; 10 000. */
  maxKeys?: number;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = {
  perAccount: { failures: 5, windowMinutes: 15 },
  perAddress: { failures: 20, windowMinutes: 15 },
};

export interface LoginThrottle {
  /**
   * Admits one sign-in attempt, counting it as a failure until `succeeded` says otherwise, or
   * refuses it when the account or the address used up its failures. Counting before the
   * password is checked means attempts sent all at once cannot all pass one look at the count.
   */
  admit(email: string, address: string): TakeResult;
  /** Gives back the attempt `admit` counted: a right password is not a failure. */
  succeeded(email: string, address: string): void;
}

function buckets(limit: FailureLimit, maxKeys: number | undefined): TokenBuckets {
  return new TokenBuckets(
    { burst: limit.failures, perSecond: limit.failures / (limit.windowMinutes * 60) },
    { maxKeys },
  );
}

/** A throttle with `limits`; `now` (milliseconds) is for tests. */
export function createLoginThrottle(
  limits: LoginLimits = DEFAULT_LOGIN_LIMITS,
  now: () => number = Date.now,
): LoginThrottle {
  const accounts = buckets(limits.perAccount, limits.maxKeys);
  const addresses = buckets(limits.perAddress, limits.maxKeys);

  return {
    admit(email, address) {
      const at = now();
      const network = addressKey(address);
      const byAccount = accounts.peek(email, at);
      const byAddress = addresses.peek(network, at);
      if (!byAccount.allowed || !byAddress.allowed) {
        if (byAccount.allowed) return byAddress;
        if (byAddress.allowed) return byAccount;
        return byAccount.retryAfterSeconds >= byAddress.retryAfterSeconds ? byAccount : byAddress;
      }

      accounts.take(email, at);
      addresses.take(network, at);
      return { allowed: true };
    },

    succeeded(email, address) {
      const at = now();
      accounts.giveBack(email, at);
      addresses.giveBack(addressKey(address), at);
    },
  };
}
