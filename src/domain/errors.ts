/**
 * The one catalogue of expected failures. Every code is stable, has an HTTP status and a
 * message that names the bad field and what would be accepted. docs/errors.md lists them.
 */
export const ERROR_CODES = {
  BD_REQUEST_INVALID: 400,
  BD_REQUEST_TOO_LARGE: 413,
  BD_AUTH_REQUIRED: 401,
  BD_AUTH_FORBIDDEN: 403,
  BD_CSRF: 403,
  BD_RATE_LIMITED: 429,
  BD_UNAVAILABLE: 503,
  BD_NOT_FOUND: 404,
  BD_INTAKE_UNKNOWN_FORMAT: 400,
  BD_INTAKE_MALFORMED_JSON: 400,
  BD_INTAKE_FIELD_MISSING: 400,
  BD_INTAKE_FIELD_INVALID: 400,
  BD_INTAKE_ZONE_REQUIRED: 400,
  BD_INTAKE_FORMAT_UNDETECTED: 400,
  BD_SUPPRESSION_INVALID: 400,
  BD_SUPPRESSION_STATE: 409,
  BD_STAGE_ILLEGAL_TRANSITION: 409,
  BD_STAGE_PRECONDITION: 409,
  BD_RATING_INVALID: 400,
  BD_CLASSIFICATION_INVALID: 400,
  BD_DECLARE_FORBIDDEN_ROLE: 403,
  BD_DECLARE_INVALID: 400,
  BD_DECLARE_WRONG_STAGE: 409,
  BD_DECLARE_DUPLICATE: 409,
  BD_DEADLINE_INVALID: 400,
  BD_TENANT_INVALID: 400,
  BD_SCOPE_INVALID: 400,
  BD_SCOPE_NO_FILES: 400,
  BD_SCOPE_FORBIDDEN_PATH: 403,
  BD_SCOPE_UNREADABLE: 422,
  BD_NOTICE_INVALID_STATE: 409,
  BD_NOTICE_NO_RECIPIENTS: 409,
  BD_AUDIT_BROKEN: 500,
  BD_INTERNAL: 500,
  BD_CONFIG_INVALID: 400,
  BD_FILE_UNREADABLE: 400,
  BD_NOTICE_FACTS_INVALID: 400,
  BD_TEMPLATE_INVALID: 400,
  BD_TEMPLATE_UNSAFE: 400,
  BD_HOLD_INVALID: 400,
  BD_HOLD_FORBIDDEN: 403,
  BD_HOLD_STATE: 409,
  BD_EVIDENCE_INVALID: 400,
  BD_EVIDENCE_STATE: 409,
  BD_EXPORT_NOT_APPROVED: 403,
  BD_TRAINING_INVALID: 400,
  BD_ONCALL_INVALID: 400,
  BD_ONCALL_STATE: 409,
  BD_TEAM_INELIGIBLE: 422,
  BD_TEAM_CONFLICT: 409,
  BD_SUMMARY_INVALID: 400,
  BD_SUMMARY_SELF_APPROVAL: 403,
  BD_SUMMARY_STATE: 409,
  BD_CONFIRMATION_INVALID: 400,
  BD_CONFIRMATION_USED: 409,
  BD_CONFIRMATION_EXPIRED: 410,
  BD_CONTACT_DUPLICATE: 409,
} as const;
export type ErrorCode = keyof typeof ERROR_CODES;

/** An expected, explainable failure. Anything else is an internal error with a reference id. */
export class BreachdeskError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  /** The field path the problem is about, when there is one. */
  readonly field: string | undefined;

  /**
   * `status` overrides the code's own where HTTP has a status for the very fault (415 for a
   * body the server cannot read, under BD_REQUEST_INVALID); the code stays the one to match.
   */
  constructor(code: ErrorCode, message: string, field?: string, status?: number) {
    super(message);
    this.name = 'BreachdeskError';
    this.code = code;
    this.status = status ?? ERROR_CODES[code];
    this.field = field;
  }
}

export function fail(code: ErrorCode, message: string, field?: string): never {
  throw new BreachdeskError(code, message, field);
}
