/**
 * Answers for requests Node's HTTP parser refuses before Fastify sees them (a header with a
 * control character, two Content-Lengths, a method HTTP does not know, headers over the size
 * limit, a request that stalls). There is no request or reply object yet, so the answer is
 * written to the socket by hand, in the same coded shape and with the same headers as any other.
 */
import { maxHeaderSize, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyBaseLogger } from 'fastify';
import type { ErrorCode } from '../domain/errors.ts';
import { ALWAYS_HEADERS } from './security-headers.ts';

interface ParserRefusal {
  status: number;
  field: string;
  message: string;
}

const HEADER_SYNTAX: ParserRefusal = {
  status: 400,
  field: '(headers)',
  message:
    'a header name or value holds a character HTTP does not allow (RFC 9110 §5.5: no control ' +
    'characters, no spaces in names, no folded lines); send each header as "Name: value" on ' +
    'one CRLF-ended line',
};

const CONTENT_LENGTH: ParserRefusal = {
  status: 400,
  field: 'content-length',
  message: 'send one Content-Length header holding the body size in bytes as decimal digits',
};

const TRANSFER_ENCODING: ParserRefusal = {
  status: 400,
  field: 'transfer-encoding',
  message:
    'send either Content-Length or Transfer-Encoding: chunked (not both), with well-formed ' +
    'chunks (RFC 9112 §7.1)',
};

// llhttp's error codes (and Node's timeout) to what the client did wrong.
const REFUSALS: Readonly<Record<string, ParserRefusal>> = {
  ERR_HTTP_REQUEST_TIMEOUT: {
    status: 408,
    field: '(request)',
    message: 'the request did not arrive in time; send its headers and body without pausing',
  },
  HPE_HEADER_OVERFLOW: {
    status: 431,
    field: '(headers)',
    message:
      `the URL and headers together are over ${Math.floor(maxHeaderSize / 1024)} KiB; ` +
      'send a shorter URL or fewer header bytes',
  },
  HPE_INVALID_METHOD: {
    status: 400,
    field: '(method)',
    message:
      'the request does not start with an HTTP method (a TLS handshake to this plain-HTTP ' +
      'port looks the same); send GET, POST, PUT, PATCH or DELETE as /openapi.json describes',
  },
  HPE_INVALID_URL: {
    status: 400,
    field: '(path)',
    message: 'the URL holds a space or control character; send such bytes percent-encoded (%XX)',
  },
  HPE_INVALID_HEADER_TOKEN: HEADER_SYNTAX,
  HPE_LF_EXPECTED: HEADER_SYNTAX,
  HPE_CR_EXPECTED: HEADER_SYNTAX,
  HPE_INVALID_CONTENT_LENGTH: CONTENT_LENGTH,
  HPE_UNEXPECTED_CONTENT_LENGTH: CONTENT_LENGTH,
  HPE_INVALID_TRANSFER_ENCODING: TRANSFER_ENCODING,
  HPE_INVALID_CHUNK_SIZE: TRANSFER_ENCODING,
};

const NOT_HTTP: ParserRefusal = {
  status: 400,
  field: '(request)',
  message:
    'the request is not well-formed HTTP/1.1 (RFC 9112); send a request line, CRLF-ended ' +
    'headers and a body of the length they give',
};

const CODE: ErrorCode = 'BD_REQUEST_INVALID';

/**
 * Node's `clientError` handler: writes the coded refusal for `error` to `socket` and closes
 * it. Writes nothing when the client is already gone or an answer has already begun.
 */
export function answerClientError(error: Error, socket: Duplex, log: FastifyBaseLogger): void {
  const code = (error as { code?: string }).code ?? '';
  if (code === 'ECONNRESET' || socket.destroyed) {
    socket.destroy();
    return;
  }

  const refusal = REFUSALS[code] ?? NOT_HTTP;
  log.debug({ code, status: refusal.status }, 'request refused by http parser');
  // Node's own handler makes the same check: a body error can come after a route has already
  // started its answer, and a second status line would corrupt it.
  const started = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (socket.writable && started?.headersSent !== true) socket.write(wireAnswer(refusal));
  socket.destroy();
}

function wireAnswer({ status, field, message }: ParserRefusal): string {
  const body = JSON.stringify({ error: { code: CODE, message, field } });
  const headers: Record<string, string | number> = {
    ...ALWAYS_HEADERS,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    connection: 'close',
  };
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}`);
  return `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${lines.join('\r\n')}\r\n\r\n${body}`;
}
