// Who is asking, and may they? One onRequest hook for every /api route, before any body is read:
//   1. a write from another site is refused (Origin / Sec-Fetch-Site), in every mode, AUTH=off included;
//   2. the caller is a Bearer token, a session cookie, or (AUTH=off) the local user;
//   3. the route's rule in policy.ts decides: 401 when nobody is signed in, 403 when the role is too low;
//   4. a cookie-authenticated write must echo the session's CSRF token.
import { timingSafeEqual } from 'node:crypto';
import cookie from '@fastify/cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CSRF_HEADER, SESSION_COOKIE, roleAtLeast, type User } from '../../contract/auth';
import { isLoopback } from '../config';
import { HttpError } from '../errors';
import type { AuthService } from './auth-service';
import { SESSION_MAX_MS } from './auth-service';
import { isSafeMethod, ruleFor } from './policy';

export type AuthMode = 'on' | 'off';

export interface Principal {
  user: User;
  via: 'local' | 'cookie' | 'token';
  /** Set when signed in by cookie. */
  sessionHash?: string;
  csrfToken?: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
}

/** The one user of a server running with AUTH=off. */
export const LOCAL_USER: User = { id: 'local', email: 'local@localhost', name: 'Local user', role: 'admin', created_at: 0 };

export const unauthorized = (message = 'Sign in to continue.') => new HttpError(401, 'unauthorized', message);
export const forbidden = (message: string) => new HttpError(403, 'forbidden', message);

export type HttpAuthOptions = { mode: 'off' } | { mode: 'on'; service: AuthService; secureCookies: boolean };

export async function registerHttpAuth(app: FastifyInstance, o: HttpAuthOptions): Promise<void> {
  await app.register(cookie);
  app.decorateRequest('principal', null);

  // A callback hook (every request passes here; a promise each is measurable), which reports what admit() throws.
  app.addHook('onRequest', (req, reply, done) => {
    try {
      admit(req, reply, o);
    } catch (err) {
      done(err as Error);
      return;
    }
    done();
  });
}

/** Lets the request through to its route, or throws the 401/403 it gets instead. */
function admit(req: FastifyRequest, reply: FastifyReply, o: HttpAuthOptions): void {
  // Judged by the route the router matched, never by the raw address: the router decodes "/%61pi/users" and
  // strips "http://host" from an absolute-form request line, so a test on req.url could be walked around.
  const route = req.routeOptions.url;
  if (route === undefined || !route.startsWith('/api/')) return; // the page's files, or unknown: not-found answers

  if (o.mode === 'off') refuseForeignHost(req);

  if (!isSafeMethod(req.method)) refuseCrossSite(req, o.mode === 'on' && o.secureCookies);

  req.principal = o.mode === 'on' ? identify(req, o.service) : { user: LOCAL_USER, via: 'local' };
  const rule = ruleFor(req.method, route);
  if (rule.access === 'public') return;
  if (!req.principal) {
    void reply.header('www-authenticate', 'Bearer realm="Asset Forge"');
    throw unauthorized();
  }
  const { role } = req.principal.user;
  if (!roleAtLeast(role, rule.access)) {
    throw forbidden(`${rule.what} needs the ${rule.access} role; you are signed in as ${article(role)} ${role}. Ask an admin if you need it.`);
  }
  if (req.principal.via === 'cookie' && !isSafeMethod(req.method)) checkCsrf(req, req.principal);
}

function identify(req: FastifyRequest, service: AuthService): Principal | null {
  const header = req.headers.authorization;
  if (header !== undefined) {
    // A request that presents a token is judged by that token alone, never by a cookie riding along.
    const m = /^Bearer ([\x21-\x7e]{1,200})$/.exec(header);
    const user = m ? service.resolveToken(m[1] as string) : undefined;
    if (!user) throw unauthorized('That API token is not valid. Create a new one under Account.');
    return { user, via: 'token' };
  }
  const value = req.cookies[SESSION_COOKIE];
  if (!value || value.length > 100) return null;
  const session = service.resolveSession(value);
  if (!session) return null;
  return { user: session.user, via: 'cookie', sessionHash: session.sessionHash, csrfToken: session.csrfToken };
}

/**
 * Without sign-in, only this machine may call: a page whose name was rebound to 127.0.0.1 (DNS rebinding) is
 * same-origin with us by its own name, so its Host header is what gives it away.
 */
function refuseForeignHost(req: FastifyRequest): void {
  const host = req.headers.host ?? '';
  // Every request of a page carries the same Host; parsing it once is enough.
  if (host === lastLoopbackHost) return;
  let name = '';
  try {
    name = new URL(`http://${host}`).hostname;
  } catch {
    // unparseable: refused below
  }
  if (!isLoopback(name)) {
    throw forbidden('This server runs without sign-in (AUTH=off) and answers only to addresses of this machine, such as 127.0.0.1.');
  }
  lastLoopbackHost = host;
}
let lastLoopbackHost: string | null = null;

function refuseCrossSite(req: FastifyRequest, secureCookies: boolean): void {
  const site = req.headers['sec-fetch-site'];
  const origin = req.headers.origin;
  if (site !== undefined && site !== 'same-origin' && site !== 'none') throw crossSite();
  // The browser's own verdict, which compares scheme, host and port as the page sees them: trusted as it is, so a TLS
  // proxy set up without SECURE_COOKIES or TRUST_PROXY (the server then believes it is served over http) still works.
  // Only browsers that send no Sec-Fetch-Site are judged by comparing Origin with what the server knows of itself.
  if (site === 'same-origin' || origin === undefined) return;
  const own = ownOrigin(req, secureCookies);
  if (origin !== own && !sameOrigin(origin, own)) {
    // Most often a proxy set up without SECURE_COOKIES, TRUST_PROXY or its Host header: say so in the log.
    req.log.warn({ origin, expected: own }, 'refused a write whose Origin is not this server');
    throw crossSite();
  }
}

const crossSite = () => forbidden('Requests from other sites are not accepted. Use the Asset Forge page, or an API token from a script.');

/**
 * This server's origin as the browser sees it: the scheme is https when a TLS proxy serves the page (SECURE_COOKIES=1,
 * or X-Forwarded-Proto from a proxy named in TRUST_PROXY, which `req.protocol` reads), else that of the connection;
 * the host is the Host header (X-Forwarded-Host, from a trusted proxy only).
 */
function ownOrigin(req: FastifyRequest, secureCookies: boolean): string {
  return `${secureCookies ? 'https' : req.protocol}://${req.host}`;
}

function sameOrigin(origin: string, own: string): boolean {
  try {
    // Through URL on both sides, so a default port written out ("host:80") still matches; "null" never does.
    const from = new URL(origin).origin;
    return from !== 'null' && from === new URL(own).origin;
  } catch {
    return false;
  }
}

function checkCsrf(req: FastifyRequest, p: Principal): void {
  const sent = req.headers[CSRF_HEADER];
  const expected = p.csrfToken ?? '';
  const ok =
    typeof sent === 'string' &&
    sent.length === expected.length &&
    expected.length > 0 &&
    timingSafeEqual(Buffer.from(sent), Buffer.from(expected));
  if (!ok) throw forbidden(`The ${CSRF_HEADER} header is missing or out of date. Reload the page and try again; scripts should use an API token.`);
}

const article = (word: string) => (/^[aeiou]/.test(word) ? 'an' : 'a');

export function setSessionCookie(reply: FastifyReply, value: string, secure: boolean): void {
  void reply.setCookie(SESSION_COOKIE, value, {
    path: '/',
    httpOnly: true,
    sameSite: 'strict',
    secure,
    maxAge: Math.floor(SESSION_MAX_MS / 1000),
  });
}

export function clearSessionCookie(reply: FastifyReply, secure: boolean): void {
  void reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'strict', secure });
}
