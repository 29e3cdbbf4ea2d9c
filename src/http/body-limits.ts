/**
 * How large a request body each route accepts. Three sizes: intake batches and tenant imports
 * are large, routes that take a few fields (reports, tokens, holds, contacts, transitions) are
 * small, and everything else gets the default. Anything over the limit is refused with 413
 * BD_REQUEST_TOO_LARGE before the body is parsed, so nothing is stored.
 */

export interface BodyLimits {
  /** Alert batches and tenant imports, in bytes. */
  intake: number;
  /** Routes not listed below (notice previews, post-mortems, scoping), in bytes. */
  default: number;
  /** Routes that take a few short fields, in bytes. */
  small: number;
}

export const DEFAULT_BODY_LIMITS: BodyLimits = {
  intake: 10 * 1024 * 1024,
  default: 1024 * 1024,
  // A report description of 20 000 characters, each written as a \uXXXX escape, still fits.
  small: 256 * 1024,
};

const LARGE_ROUTES = new Set(['/api/v1/intake/:format', '/api/v1/tenants/import']);

const SMALL_ROUTES = new Set([
  '/api/v1/reports',
  '/api/v1/tokens',
  '/api/v1/tokens/:tokenId',
  '/api/v1/notices/:noticeId/holds',
  '/api/v1/holds/:holdId/approve',
  '/api/v1/holds/:holdId/release',
  '/api/v1/notices/:noticeId/withdraw',
  '/api/v1/notices/:noticeId/approve',
  '/api/v1/notices/:noticeId/resend',
  '/api/v1/suppression-rules',
  '/api/v1/suppression-rules/:id/revocation',
  '/api/v1/tenants/:tenantId/contacts',
  '/api/v1/tenants/:tenantId/contacts/:contactId',
  '/api/v1/investigations/:id/transitions',
  '/api/v1/investigations/:id/ratings',
  '/api/v1/investigations/:id/regimes',
  '/api/v1/investigations/:id/moments',
  '/api/v1/investigations/:id/classification',
  '/api/v1/investigations/:id/declaration',
  '/api/v1/obligations/:obligationId/decision',
  '/api/v1/obligations/:obligationId/filing',
  '/api/v1/auth/login',
  '/api/v1/auth/logout',
  '/api/v1/auth/set-password',
  '/api/v1/investigations/:id/team',
  '/api/v1/investigations/:id/team/:personId',
  '/api/v1/investigations/:id/customer-summary',
  '/api/v1/investigations/:id/customer-summary/:summaryId/approve',
  '/api/v1/investigations/:id/evidence-approvals',
  '/api/v1/investigations/:id/evidence-approvals/:approvalId/revoke',
  '/api/v1/investigations/:id/evidence-exports',
  '/api/v1/training/completions',
  '/api/v1/on-call',
  '/api/v1/on-call/:shiftId',
]);

/**
 * The limits to use: `given` over the defaults, where the intake limit caps the default and
 * the default caps the small one (a smaller intake limit shrinks them all).
 */
export function resolveBodyLimits(given: Partial<BodyLimits> = {}): BodyLimits {
  const intake = given.intake ?? DEFAULT_BODY_LIMITS.intake;
  const fallback = Math.min(given.default ?? DEFAULT_BODY_LIMITS.default, intake);
  const small = Math.min(given.small ?? DEFAULT_BODY_LIMITS.small, fallback);
  return { intake, default: fallback, small };
}

/** The body limit, in bytes, of the route registered under `url` (a Fastify route pattern). */
export function bodyLimitFor(url: string, limits: BodyLimits): number {
  if (LARGE_ROUTES.has(url)) return limits.intake;
  if (SMALL_ROUTES.has(url)) return limits.small;
  return limits.default;
}
