/**
 * The one logger factory. Fields first, short lower-case messages; secrets and personal data
 * are redacted here, centrally, never at call sites.
 */
import { type DestinationStream, pino, type Logger } from 'pino';
import { serializeError, serializeRequest } from './log-serializers.ts';

// Each name at the top level and one level down (pino's `*` matches exactly one level).
const SECRET_FIELDS = ['token', 'tokenHash', 'password', 'secret', 'authorization', 'cookie'];
// Personal data and message contents: addresses, e-mail and request bodies.
const PERSONAL_FIELDS = ['email', 'recipientEmail', 'body', 'text', 'html'];

const REDACT = [
  'req.headers.authorization',
  'req.headers["proxy-authorization"]',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  ...[...SECRET_FIELDS, ...PERSONAL_FIELDS].flatMap((f) => [f, `*.${f}`]),
  'err.config',
  // PostgreSQL's detail repeats the offending values ("Key (email)=(…) already exists").
  'err.detail',
];

/**
 * A logger writing JSON lines to `destination`, stderr by default (stdout is kept for command
 * output). Tests pass a stream to read what would be logged.
 */
export function createLogger(
  level = process.env.BREACHDESK_LOG_LEVEL ?? 'info',
  destination: DestinationStream = pino.destination(2),
): Logger {
  return pino(
    {
      level,
      base: { app: 'breachdesk' },
      redact: { paths: REDACT, censor: '[redacted]' },
      serializers: { req: serializeRequest, err: serializeError },
    },
    destination,
  );
}
