// A client that sends an HTTP request over a raw socket at the pace a test chooses (all at once, a byte at a
// time, or not at all), to see what a slow or stalled sender gets from a real listening server.
import net from 'node:net';
import { multipart, objectPng } from '../helpers/test-app';

export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** ms from the start of the request to the answer's last byte. */
  ms: number;
}

export interface RawRequest {
  /** The server's answer; rejects when the connection ends without one. */
  answer: Promise<RawAnswer>;
  /** Resolves when the server has closed the connection, with ms from the start of the request. */
  closed: Promise<number>;
  /** Sends the next `n` bytes of the body (all that is left when omitted). */
  send(n?: number): void;
  /** Sends `bytes` more bytes every `everyMs`, until the body is sent, stop() or the connection ends. */
  trickle(everyMs: number, bytes?: number): void;
  stop(): void;
  /** Bytes of the body not sent yet. */
  left(): number;
  destroy(): void;
}

/** Opens a connection and sends the request line and headers at once; the body waits for send()/trickle(). */
export function rawRequest(
  port: number,
  o: { method?: string; path: string; headers?: Record<string, string>; body: Buffer },
): RawRequest {
  const started = performance.now();
  const socket = net.connect({ port, host: '127.0.0.1' });
  socket.on('error', () => undefined); // a reset after the answer is the server closing; `answer` reports the rest
  const head =
    `${o.method ?? 'POST'} ${o.path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n` +
    Object.entries({ ...o.headers, 'content-length': String(o.body.byteLength) })
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join('') +
    '\r\n';
  socket.write(head);
  let sent = 0;
  let timer: NodeJS.Timeout | undefined;
  const stop = () => clearInterval(timer);
  const send = (n = o.body.byteLength - sent) => {
    if (socket.destroyed || sent >= o.body.byteLength) return;
    const end = Math.min(o.body.byteLength, sent + n);
    socket.write(o.body.subarray(sent, end));
    sent = end;
  };

  let received = Buffer.alloc(0);
  const answer = new Promise<RawAnswer>((resolve, reject) => {
    const tryParse = () => {
      const split = received.indexOf('\r\n\r\n');
      if (split < 0) return false;
      const [statusLine = '', ...lines] = received.subarray(0, split).toString('latin1').split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const colon = line.indexOf(':');
        headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      const length = Number(headers['content-length'] ?? 0);
      const body = received.subarray(split + 4);
      if (body.byteLength < length) return false;
      resolve({
        status: Number(statusLine.split(' ')[1]),
        headers,
        body: body.subarray(0, length).toString('utf8'),
        ms: performance.now() - started,
      });
      return true;
    };
    socket.on('data', (d: Buffer) => {
      received = Buffer.concat([received, d]);
      tryParse();
    });
    socket.on('close', () => {
      stop();
      if (!tryParse()) reject(new Error(`the connection ended without an answer (${received.byteLength} bytes)`));
    });
  });
  answer.catch(() => undefined);
  const closed = new Promise<number>((resolve) => socket.on('close', () => resolve(performance.now() - started)));

  return {
    answer,
    closed,
    send,
    trickle(everyMs, bytes = 1) {
      stop();
      timer = setInterval(() => {
        send(bytes);
        if (sent >= o.body.byteLength) stop();
      }, everyMs);
    },
    stop,
    left: () => o.body.byteLength - sent,
    destroy() {
      stop();
      socket.destroy();
    },
  };
}

/** A create-asset form (one real PNG), as a browser would encode it. */
export async function assetForm(name = 'Slow vase'): Promise<{ body: Buffer; headers: Record<string, string> }> {
  const { payload, headers } = await multipart({ name }, [{ field: 'images', bytes: await objectPng(), filename: 'view.png', type: 'image/png' }]);
  return { body: payload, headers };
}

/** Resolves with `value` after `ms`, for racing an answer that must come by then. */
export const after = <T>(ms: number, value: T) => new Promise<T>((resolve) => setTimeout(() => resolve(value), ms).unref());
