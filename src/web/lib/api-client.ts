// Talks to the HTTP API: every body is parsed with the contract's schemas, every failure becomes an ApiError,
// GETs are conditional (ETag / If-None-Match) so an idle poll moves almost no bytes, and every write carries the
// session's CSRF token. No UI side effects here.
// First, before any schema exists: zod decides at construction whether a schema may compile itself with eval (the
// page's CSP forbids it). Imported here as well as in main.tsx because every page reaches this module: the bundler
// then keeps it in the same chunk as zod and the contract, ahead of them, however it splits the lazy routes.
import './zod-config';
import type { z } from 'zod';
import { ErrorBodySchema, SERVER_TIME_HEADER } from '../../contract/api';
import { CSRF_HEADER } from '../../contract/auth';
import { recordServerTime } from './server-time';

/** `code` is the API's error code, or `network` when the server could not be reached, or `invalid_response`. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  /** From a Retry-After header (429, 503): how many seconds to wait before asking again; null when not said. */
  readonly retryAfterSeconds: number | null;

  constructor(status: number, code: string, message: string, options?: { cause?: unknown; retryAfterSeconds?: number | null }) {
    super(message, options);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.retryAfterSeconds = options?.retryAfterSeconds ?? null;
  }
}

let csrfToken: string | null = null;

/** The session's CSRF token, sent with every write from now on; null (no session, or single-user mode) sends none. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** The headers every non-GET request carries. */
function writeHeaders(): Record<string, string> {
  return csrfToken ? { [CSRF_HEADER]: csrfToken } : {};
}

/** Retry-After is either whole seconds or an HTTP date. */
function retryAfter(header: string | null): number | null {
  if (header === null || header.trim() === '') return null;
  if (/^\s*\d+\s*$/.test(header)) return Number(header);
  const at = Date.parse(header);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

/** True when the request never got an answer from the service itself (offline, server down, proxy in between). */
export function isUnreachable(error: unknown): boolean {
  return error instanceof ApiError && (error.status === 0 || error.status === 502 || error.status === 503 || error.status === 504);
}

interface Conditional {
  etag: string;
  body: unknown;
}

// Bounded so that typing in the search box does not grow it forever; Map keeps insertion order for eviction.
const CONDITIONAL_MAX = 64;
const conditional = new Map<string, Conditional>();

function remember(url: string, entry: Conditional): void {
  conditional.delete(url);
  conditional.set(url, entry);
  if (conditional.size > CONDITIONAL_MAX) {
    const oldest = conditional.keys().next().value;
    if (oldest !== undefined) conditional.delete(oldest);
  }
}

/** Forgets every remembered ETag; tests call it so no case sees another's responses. */
export function clearConditionalCache(): void {
  conditional.clear();
}

function absolute(path: string): string {
  return new URL(path, document.baseURI).toString();
}

async function errorFrom(response: Response): Promise<ApiError> {
  let body: unknown = null;
  try {
    body = await response.json();
  } catch {
    // Not JSON (a proxy's HTML page, say): fall through to a generic message.
  }
  return errorOf(response.status, body, retryAfter(response.headers.get('retry-after')), 'The request was refused');
}

function errorOf(status: number, body: unknown, retryAfterSeconds: number | null, refused: string): ApiError {
  const parsed = ErrorBodySchema.safeParse(body);
  if (parsed.success) return new ApiError(status, parsed.data.error.code, parsed.data.error.message, { retryAfterSeconds });
  return new ApiError(
    status,
    status >= 500 ? 'internal' : 'bad_request',
    status >= 500 ? 'The server had a problem. Try again in a moment.' : `${refused} (${status}).`,
    { retryAfterSeconds },
  );
}

function parseWith<S extends z.ZodType>(schema: S, body: unknown, status: number): z.output<S> {
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    throw new ApiError(status, 'invalid_response', 'The server sent an answer this page does not understand.', { cause: parsed.error });
  }
  return parsed.data;
}

function unreachable(cause: unknown): ApiError {
  return new ApiError(0, 'network', 'Could not reach the server.', { cause });
}

async function send(url: string, init: RequestInit): Promise<Response> {
  const sentAt = Date.now();
  let response: Response;
  try {
    // no-store: the browser's own cache must not turn our 304s back into 200s; this module is the cache.
    response = await fetch(url, { ...init, cache: 'no-store', credentials: 'same-origin' });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw unreachable(error);
  }
  recordServerTime(response.headers.get(SERVER_TIME_HEADER), sentAt, Date.now());
  return response;
}

/**
 * GETs `path` and parses it with `schema`. When the server answers 304 the previously parsed body is returned
 * as the very same object, so TanStack Query's structural sharing keeps every reference and nothing re-renders.
 */
export async function apiGet<S extends z.ZodType>(path: string, schema: S, options: { signal?: AbortSignal } = {}): Promise<z.output<S>> {
  const url = absolute(path);
  const cached = conditional.get(url);
  const headers: Record<string, string> = { accept: 'application/json' };
  if (cached) headers['if-none-match'] = cached.etag;
  const response = await send(url, { headers, ...(options.signal ? { signal: options.signal } : {}) });

  if (response.status === 304) {
    if (cached) {
      remember(url, cached);
      return cached.body as z.output<S>;
    }
    // Only possible if the entry was evicted mid-request; ask again unconditionally.
    conditional.delete(url);
    return apiGet(path, schema, options);
  }
  if (!response.ok) throw await errorFrom(response);

  let json: unknown;
  try {
    json = await response.json();
  } catch (cause) {
    throw new ApiError(response.status, 'invalid_response', 'The server sent an answer this page does not understand.', { cause });
  }
  const body = parseWith(schema, json, response.status);
  const etag = response.headers.get('etag');
  if (etag) remember(url, { etag, body });
  else conditional.delete(url);
  return body;
}

/** A file the API answered with, and the name its Content-Disposition gives it. */
export interface DownloadedFile {
  blob: Blob;
  fileName: string;
}

/** GETs a file (a download), or throws the ApiError its refusal carries, so the page can say why next to the button. */
export async function apiDownload(path: string, options: { signal?: AbortSignal } = {}): Promise<DownloadedFile> {
  const response = await send(absolute(path), { ...(options.signal ? { signal: options.signal } : {}) });
  if (!response.ok) throw await errorFrom(response);
  let blob: Blob;
  try {
    blob = await response.blob();
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw unreachable(error);
  }
  return { blob, fileName: fileNameOf(response.headers.get('content-disposition')) };
}

/** The name in a Content-Disposition header: the UTF-8 `filename*` when there is one, else the plain `filename`. */
export function fileNameOf(header: string | null): string {
  const utf8 = /filename\*=UTF-8''([^;]+)/i.exec(header ?? '')?.[1];
  if (utf8) {
    try {
      return decodeURIComponent(utf8);
    } catch {
      // A malformed escape: the plain name below.
    }
  }
  return /filename="([^"]*)"/i.exec(header ?? '')?.[1] ?? 'download';
}

function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return null;
  }
}

export interface UploadOptions {
  /** Fraction of the request body sent so far, 0–1. */
  onProgress?: (fraction: number) => void;
  signal?: AbortSignal;
}

/**
 * POSTs a multipart form with XMLHttpRequest, the one browser API that reports upload progress, and parses the
 * answer with `schema`.
 */
export function apiUpload<S extends z.ZodType>(path: string, form: FormData, schema: S, options: UploadOptions = {}): Promise<z.output<S>> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    const sentAt = Date.now();
    xhr.open('POST', absolute(path));
    xhr.setRequestHeader('accept', 'application/json');
    for (const [name, value] of Object.entries(writeHeaders())) xhr.setRequestHeader(name, value);
    xhr.responseType = 'text';
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable && event.total > 0) options.onProgress?.(event.loaded / event.total);
    };
    xhr.onerror = () => reject(unreachable(new Error('XMLHttpRequest failed')));
    xhr.onabort = () => reject(new DOMException('The upload was cancelled.', 'AbortError'));
    xhr.onload = () => {
      recordServerTime(xhr.getResponseHeader(SERVER_TIME_HEADER), sentAt, Date.now());
      const json = parseJson(xhr.responseText);
      if (xhr.status >= 200 && xhr.status < 300) {
        try {
          resolve(parseWith(schema, json, xhr.status));
        } catch (error) {
          reject(error);
        }
        return;
      }
      reject(errorOf(xhr.status, json, retryAfter(xhr.getResponseHeader('retry-after')), 'The upload was refused'));
    };
    options.signal?.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.send(form);
  });
}

export type WriteMethod = 'POST' | 'PATCH' | 'DELETE';

/**
 * Sends an action (POST/PATCH/DELETE, optional JSON body) and parses the answer with `schema`; with no schema the
 * answer is expected to be empty (204).
 */
export async function apiSend<S extends z.ZodType>(method: WriteMethod, path: string, schema: S, body?: unknown): Promise<z.output<S>>;
export async function apiSend(method: WriteMethod, path: string, schema?: undefined, body?: unknown): Promise<void>;
export async function apiSend<S extends z.ZodType>(method: WriteMethod, path: string, schema?: S, body?: unknown): Promise<unknown> {
  const headers: Record<string, string> = { accept: 'application/json', ...writeHeaders() };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await send(absolute(path), { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  if (!response.ok) throw await errorFrom(response);
  if (!schema) return undefined;
  let json: unknown;
  try {
    json = await response.json();
  } catch (cause) {
    throw new ApiError(response.status, 'invalid_response', 'The server sent an answer this page does not understand.', { cause });
  }
  return parseWith(schema, json, response.status);
}
