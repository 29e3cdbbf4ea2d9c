/**
 * Response headers that tell a browser how little it may do with what this server sends: every
 * answer (errors and 404s included) is JSON that must not be sniffed, framed, cached or opened
 * cross-origin. The policy also suits a future web console served from the same origin.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';

// CSP Level 3: scripts, styles, images and fetches only from this origin; no plugins, no
// <base> rewriting, and no page may frame us (clickjacking).
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "frame-ancestors 'none'",
  "object-src 'none'",
  "base-uri 'none'",
].join('; ');

/** Headers set on every response; a route may not weaken them. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  // For browsers without CSP frame-ancestors.
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  // RFC 6797 §8.1: browsers ignore this over plain HTTP, so it only acts behind TLS.
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
};

/** SECURITY_HEADERS with `Cache-Control: no-store`, for answers sent outside the hooks. */
export const ALWAYS_HEADERS: Readonly<Record<string, string>> = {
  ...SECURITY_HEADERS,
  'cache-control': 'no-store',
};

/**
 * The onSend hook: adds SECURITY_HEADERS, and `Cache-Control: no-store` unless a route chose
 * its own caching.
 */
export function addSecurityHeaders(
  _request: FastifyRequest,
  reply: FastifyReply,
  payload: unknown,
): Promise<unknown> {
  void reply.headers(SECURITY_HEADERS);
  // API answers hold incident facts; no proxy or browser cache may keep them.
  if (!reply.hasHeader('cache-control')) void reply.header('cache-control', 'no-store');
  return Promise.resolve(payload);
}
