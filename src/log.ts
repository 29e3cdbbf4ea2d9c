/**
 * The one logger factory. Fields first, short lower-case messages; secrets and personal data
 * are redacted here, centrally, never at call sites.
 */
import { pino, type Logger } from 'pino';

const REDACT = [
  'req.headers.authorization',
  'req.headers.cookie',
  '*.token',
  '*.password',
  '*.email',
  '*.recipientEmail',
  'err.config',
];

/** A logger writing JSON lines to stderr (stdout is kept for command output). */
export function createLogger(level = process.env.BREACHDESK_LOG_LEVEL ?? 'info'): Logger {
  return pino(
    { level, base: { app: 'breachdesk' }, redact: { paths: REDACT, censor: '[redacted]' } },
    pino.destination(2),
  );
}
