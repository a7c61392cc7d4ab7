// How long Node waits for a request to arrive, and the answer a client gets when it takes too long.
import http from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyHttpOptions } from 'fastify';

export interface RequestTimeouts {
  /** Longest one request may take to arrive, headers and body; then a 408 and the connection closes. */
  requestMs: number;
  /** Longest the headers of a request may take to arrive. */
  headersMs: number;
}

export const REQUEST_TIMEOUTS: RequestTimeouts = {
  // The largest request is a 64 MB model (or six 10 MB images): about 9 minutes on a 1 Mbit/s upstream line. A
  // body that is still arriving holds no checking slot (see routes/uploads.ts), so a slow sender costs only its
  // connection and one of its own upload places until then.
  requestMs: 10 * 60_000,
  headersMs: 20_000,
};

/** The server options that bound how long a request and an idle connection may stay open. */
export function serverTimeoutOptions(t: RequestTimeouts) {
  const headersMs = Math.min(t.headersMs, t.requestMs);
  return {
    requestTimeout: t.requestMs,
    // Longer than the 60 s idle timeout of common proxies, so the proxy closes a kept-alive connection first
    // (otherwise it may send a request down a connection this server is closing). Fastify's default, stated.
    keepAliveTimeout: 72_000,
    // No socket inactivity limit: checking a large model may take a while with no bytes moving. A stalled upload
    // body is cut off by the upload routes' idle timeout, a stalled request by `requestTimeout`.
    connectionTimeout: 0,
    http: {
      requestTimeout: t.requestMs,
      headersTimeout: headersMs,
      // Node looks for requests past their time this often (its default is 30 s).
      connectionsCheckingInterval: Math.max(50, Math.min(5_000, Math.floor(headersMs / 4))),
    },
    clientErrorHandler: answerClientError,
  } satisfies FastifyHttpOptions<http.Server>;
}

/**
 * Answers what Node raises before a request reaches Fastify (a request past its time, oversized headers, a
 * malformed request line) in the contract's error shape, then closes the connection.
 */
function answerClientError(err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, code, message] =
    err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, 'timeout', 'The request took too long to arrive, so the server gave up on it. Check the connection and try again.']
      : err.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'too_large', 'The request headers are too large.']
        : [400, 'bad_request', 'The request is not valid HTTP.'];
  // Node's own rule: answer only if no response to this connection's current request has started.
  const current = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (socket.writable && !current?.headersSent) {
    const body = JSON.stringify({ error: { code, message } });
    socket.write(
      `HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? ''}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nCache-Control: no-cache\r\nX-Content-Type-Options: nosniff\r\n` +
        `Connection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(err);
}
