// Builds the HTTP app (API + the built page) from its dependencies. It never listens: main.ts does,
// and tests call app.inject() on a fresh app each.
import { existsSync } from 'node:fs';
import path from 'node:path';
import Fastify, { LogController, type FastifyError, type FastifyInstance, type FastifyReply } from 'fastify';
import helmet, { type HelmetOptions } from 'helmet';
import multipart from '@fastify/multipart';
import fastifyStatic from '@fastify/static';
import { LIMITS, SERVER_TIME_HEADER, type ErrorCode } from '../contract/api';
import type { AuthService } from './auth/auth-service';
import { registerHttpAuth } from './auth/http-auth';
import { createExporter, type ExportSettings } from './exports/exporter';
import { trustProxyOption } from './config';
import { fromSystemError, HttpError } from './errors';
import type { Generator } from './pipeline/generator';
import { registerAssetRoutes } from './routes/assets';
import { registerAuthRoutes } from './routes/auth';
import { registerFileRoutes } from './routes/files';
import type { UploadLimits } from './routes/uploads';
import { REQUEST_TIMEOUTS, serverTimeoutOptions, type RequestTimeouts } from './request-timeouts';
import { createAssetService, type AssetService } from './services/asset-service';
import type { AssetRepository } from './storage/asset-repository';
import type { FileStore } from './storage/file-store';

/** Sign-in on (accounts, sessions, tokens) or off (one local admin; only on a loopback HOST, checked in config.ts). */
export type AuthSettings =
  | { mode: 'off' }
  | { mode: 'on'; service: AuthService; secureCookies?: boolean; loginFailures?: { max: number; windowMs: number } };

export interface AppDeps {
  auth: AuthSettings;
  repo: AssetRepository;
  files: FileStore;
  generator: Generator;
  stepMs: number;
  countdownMs: number;
  stepTimeoutMs: number;
  workers: number;
  logLevel?: string;
  /** Folder of the built page; omitted in API-only tests. */
  webDir?: string;
  /** The export workers' limits and queue, and the per-person cap on exports (exports/exporter.ts). */
  exports?: ExportSettings;
  /**
   * Proxies whose X-Forwarded-For/-Proto/-Host are believed (TRUST_PROXY): a number of hops, or their addresses
   * or CIDRs. Unset, `req.ip` is the connection's address and those headers are ignored.
   */
  trustProxy?: number | string[] | undefined;
  /** Overrides of the upload limits (routes/uploads.ts), e.g. a short body idle timeout in tests. */
  uploadLimits?: Partial<UploadLimits>;
  /** Overrides of how long a request may take to arrive (request-timeouts.ts). */
  requestTimeouts?: Partial<RequestTimeouts>;
  now?: () => number;
}

declare module 'fastify' {
  interface FastifyInstance {
    assets: AssetService;
  }
}

const STATUS_CODES: Record<number, ErrorCode> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  408: 'timeout',
  406: 'unsupported_type',
  409: 'wrong_stage',
  413: 'too_large',
  415: 'unsupported_type',
  422: 'unprocessable',
  429: 'rate_limited',
};

/** Plain-words messages for framework errors whose own wording is about internals. */
const FRAMEWORK_MESSAGES: Record<string, string> = {
  FST_PROTO_VIOLATION: 'That field name is not allowed.',
  FST_MP_PREMATURE_CLOSE: 'The upload was cut off before it finished.',
  FST_INVALID_MULTIPART_CONTENT_TYPE: 'Send this as multipart/form-data.',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'Unsupported Content-Type for this request.',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'The body is empty; send a JSON object or no Content-Type.',
  FST_ERR_CTP_INVALID_JSON_BODY: 'The body is not valid JSON.',
  FST_ERR_CTP_BODY_TOO_LARGE: 'The request body is too large.',
};

/**
 * Security headers, through helmet. The page needs no inline script; blob: is for the images the form previews and
 * the textures three.js unpacks from a GLB. Nothing may frame the page.
 */
export const SECURITY_HEADERS: HelmetOptions = {
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", 'data:', 'blob:'],
      connectSrc: ["'self'", 'blob:'],
      fontSrc: ["'self'"],
      objectSrc: ["'none'"],
      baseUri: ["'self'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
    },
  },
  referrerPolicy: { policy: 'same-origin' },
  // Same-origin everywhere; the cross-origin isolation headers would only get in the way of downloads.
  crossOriginEmbedderPolicy: false,
  // The server speaks plain HTTP on loopback; HSTS belongs to whatever terminates TLS in front of it.
  strictTransportSecurity: false,
};

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: { level: deps.logLevel ?? 'silent' },
    // Pages poll every second; a line per request would drown what matters. LOG_LEVEL=debug shows them.
    logController: new LogController({ disableRequestLogging: !['debug', 'trace'].includes(deps.logLevel ?? 'silent') }),
    bodyLimit: 64 * 1024,
    ...(deps.trustProxy !== undefined ? { trustProxy: trustProxyOption(deps.trustProxy) } : {}),
    ...serverTimeoutOptions({ ...REQUEST_TIMEOUTS, ...deps.requestTimeouts }),
    // Errors the router raises before any route runs (a malformed or overlong address) get the contract's shape.
    frameworkErrors: (err, _req, reply) => {
      const tooLong = err.code === 'FST_ERR_MAX_PARAM_LENGTH';
      void (reply as FastifyReply)
        .status(tooLong ? 414 : 400)
        // No hook runs for these, helmet's included: the headers a JSON error needs are set here.
        .headers({
          'cache-control': 'no-cache',
          'x-content-type-options': 'nosniff',
          'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
        })
        .send({ error: { code: 'bad_request', message: tooLong ? 'The address is too long.' : 'The address is not valid.' } });
    },
    // Keep request ids short and never trust a client's.
    genReqId: (() => {
      let n = 0;
      return () => `r${(++n).toString(36)}`;
    })(),
  });

  // Downloads that need a conversion are built in worker threads, never on the thread that answers requests.
  const exporter = createExporter({
    files: deps.files,
    onUnexpectedError: (err) => app.log.error({ err }, 'an export failed unexpectedly'),
    ...deps.exports,
  });
  app.addHook('onClose', async () => exporter.close());
  const service = createAssetService({
    repo: deps.repo,
    files: deps.files,
    generator: deps.generator,
    exporter,
    log: app.log,
    stepMs: deps.stepMs,
    countdownMs: deps.countdownMs,
    stepTimeoutMs: deps.stepTimeoutMs,
    workers: deps.workers,
    ...(deps.now ? { now: deps.now } : {}),
  });
  app.decorate('assets', service);
  app.addHook('onClose', async () => service.close());

  // Built once: @fastify/helmet rebuilt the middleware (and re-parsed the CSP) on every request, a third of what
  // a 304 cost.
  const securityHeaders = helmet(SECURITY_HEADERS);
  app.addHook('onRequest', (req, reply, done) => {
    securityHeaders(req.raw, reply.raw, (err) => done(err as Error | undefined));
  });

  await app.register(multipart, {
    limits: { fileSize: LIMITS.modelBytesMax, files: LIMITS.imagesMax, fields: 8, fieldSize: 16 * 1024, parts: 16 },
  });

  // A callback hook, not an async one: every API answer passes here, and a promise per answer is measurable.
  app.addHook('onSend', (req, reply, payload, done) => {
    if (req.url.startsWith('/api/')) {
      reply.header(SERVER_TIME_HEADER, String((deps.now ?? Date.now)()));
      if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-cache');
    }
    done(null, payload);
  });

  app.setErrorHandler((caught: FastifyError | HttpError, req, reply) => {
    const err = fromSystemError(caught) ?? caught;
    if (err !== caught) req.log.error({ err: caught }, 'request failed on a system error');
    if (err instanceof HttpError) {
      return reply.status(err.statusCode).send({ error: { code: err.code, message: err.message } });
    }
    const status = typeof err.statusCode === 'number' ? err.statusCode : 500;
    if (status >= 400 && status < 500) {
      const code = STATUS_CODES[status] ?? 'bad_request';
      const message = FRAMEWORK_MESSAGES[err.code] ?? err.message;
      return reply.status(status).send({ error: { code, message } });
    }
    req.log.error({ err }, 'request failed');
    return reply
      .status(500)
      .send({ error: { code: 'internal', message: 'Something went wrong on our side. Try again in a moment.' } });
  });

  if (deps.auth.mode === 'on') {
    const { service: accounts, secureCookies = false } = deps.auth;
    await registerHttpAuth(app, { mode: 'on', service: accounts, secureCookies });
    const { loginFailures } = deps.auth;
    await registerAuthRoutes(app, { mode: 'on', service: accounts, secureCookies, ...(loginFailures ? { loginFailures } : {}) });
  } else {
    await registerHttpAuth(app, { mode: 'off' });
    await registerAuthRoutes(app, { mode: 'off' });
  }

  app.get('/api/health', async () => ({ status: 'ok' as const }));
  registerAssetRoutes(app, service, { uploadLimits: deps.uploadLimits });
  registerFileRoutes(app, service);

  const webDir = deps.webDir;
  const hasWeb = webDir !== undefined && existsSync(path.join(webDir, 'index.html'));
  if (hasWeb) {
    await app.register(fastifyStatic, {
      root: webDir,
      wildcard: false,
      setHeaders(res, file) {
        // Vite fingerprints everything under assets/, so those never change under the same name.
        if (file.includes(`${path.sep}assets${path.sep}`)) res.setHeader('cache-control', 'public, max-age=31536000, immutable');
        else res.setHeader('cache-control', 'no-cache');
      },
    });
  }

  app.setNotFoundHandler((req, reply) => {
    const isApi = req.url === '/api' || req.url.startsWith('/api/');
    // A missing built file (say, a chunk from an older build) is a 404, not the page: asset ids have no dot.
    const isFile = /\.[A-Za-z0-9]{1,8}$/.test(req.url.split('?')[0] ?? '');
    if (!isApi && !isFile && hasWeb && (req.method === 'GET' || req.method === 'HEAD')) {
      // Client-side routes (/assets/:id, /new, /sign-in…) all load the page.
      return reply.header('cache-control', 'no-cache').sendFile('index.html');
    }
    return reply.status(404).send({ error: { code: 'not_found', message: `No such endpoint: ${req.method} ${(req.url.split("?")[0] ?? "").slice(0, 200)}` } });
  });

  return app;
}
