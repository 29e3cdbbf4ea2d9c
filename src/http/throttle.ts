/**
 * Rate limits of the HTTP API (src/http/rate-limit.ts buckets): intake routes per client
 * address and per API token, and API-token guessing per client address (an IPv6 client counts
 * by its /64, src/http/address-key.ts). A refusal is 429 BD_RATE_LIMITED with a Retry-After
 * header in seconds (RFC 9110 §10.2.3).
 */
import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { fail } from '../domain/errors.ts';
import { addressKey } from './address-key.ts';
import { type BucketSettings, type TakeResult, TokenBuckets } from './rate-limit.ts';

export interface RateLimitSettings {
  /** Intake requests (alert batches, reports) from one client address. */
  intakePerAddress: BucketSettings;
  /** Intake requests made with one API token, whatever the address. */
  intakePerToken: BucketSettings;
  /** Requests with an unknown or revoked token from one address before that address waits. */
  badTokensPerAddress: BucketSettings;
}

export const DEFAULT_RATE_LIMITS: RateLimitSettings = {
  intakePerAddress: { burst: 60, perSecond: 10 },
  intakePerToken: { burst: 60, perSecond: 10 },
  // Ten wrong tokens at once, then one every ten seconds.
  badTokensPerAddress: { burst: 10, perSecond: 0.1 },
};

// Human reports are intake too: a flood of them buries the real ones.
const INTAKE_ROUTES = new Set(['POST /api/v1/intake/:format', 'POST /api/v1/reports']);

export interface Throttle {
  /** Refuses a token from an address that sent too many bad ones; call before the lookup. */
  checkTokenAttempt(request: FastifyRequest, reply: FastifyReply): void;
  /** Counts an unknown or revoked token against the request's address. */
  recordBadToken(request: FastifyRequest): void;
  /** Refuses an intake request over its address's or its token's rate; other routes pass. */
  checkIntake(request: FastifyRequest, reply: FastifyReply): void;
}

/** A throttle with `given` settings over DEFAULT_RATE_LIMITS; `now` is for tests. */
export function createThrottle(
  given: Partial<RateLimitSettings> = {},
  now: () => number = Date.now,
): Throttle {
  const settings = { ...DEFAULT_RATE_LIMITS, ...given };
  const badTokens = new TokenBuckets(settings.badTokensPerAddress);
  const intakeAddresses = new TokenBuckets(settings.intakePerAddress);
  const intakeTokens = new TokenBuckets(settings.intakePerToken);

  return {
    checkTokenAttempt(request, reply) {
      const result = badTokens.peek(addressKey(request.ip), now());
      refuseIf(result, reply, 'too many unknown or revoked API tokens from this address');
    },

    recordBadToken(request) {
      badTokens.take(addressKey(request.ip), now());
    },

    checkIntake(request, reply) {
      if (!INTAKE_ROUTES.has(`${request.method} ${request.routeOptions.url ?? ''}`)) return;

      const at = now();
      const byAddress = intakeAddresses.take(addressKey(request.ip), at);
      refuseIf(byAddress, reply, 'too many intake requests from this address');

      const header = request.headers.authorization;
      if (request.actor === null || header === undefined) return;
      // Keyed by a digest of the token alone (not of the header, which a sender could pad
      // differently each time), so the map never holds a usable token.
      const token = header.replace(/^bearer[ \t]+/i, '').trim();
      const key = createHash('sha256').update(token).digest('hex').slice(0, 32);
      refuseIf(intakeTokens.take(key, at), reply, 'too many intake requests with this token');
    },
  };
}

function refuseIf(result: TakeResult, reply: FastifyReply, what: string): void {
  if (result.allowed) return;

  void reply.header('retry-after', String(result.retryAfterSeconds));
  fail('BD_RATE_LIMITED', `${what}; retry after ${result.retryAfterSeconds} s`);
}
