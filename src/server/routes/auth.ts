// Sign-in, sign-out, password change, API tokens and (for admins) users. Access is decided by auth/policy.ts
// before these handlers run; they only validate with the contract and call the auth service.
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  ChangePasswordSchema,
  CreateTokenSchema,
  CreateUserSchema,
  SignInSchema,
  UpdateUserSchema,
  UserIdParamsSchema,
  type Session,
} from '../../contract/auth';
import type { AuthService } from '../auth/auth-service';
import {
  clearSessionCookie,
  LOCAL_USER,
  setSessionCookie,
  unauthorized,
  type AuthMode,
  type Principal,
} from '../auth/http-auth';
import { addressKey, createLoginLimiter } from '../auth/login-limiter';
import { assertNewPassword } from '../auth/password-policy';
import { HttpError, notFound } from '../errors';
import { NoQuerySchema } from './assets';
import { parseOr400 } from './validate';

export type AuthRouteOptions =
  | { mode: 'off' }
  | {
      mode: 'on';
      service: AuthService;
      /** Mark the session cookie Secure (SECURE_COOKIES=1, behind a TLS proxy). */
      secureCookies: boolean;
      /**
       * Wrong passwords allowed per address and account before the first wait (default 5), and how long after the
       * last wait ended they are forgotten (default 15 minutes).
       */
      loginFailures?: { max: number; windowMs: number };
    };

/** After the free failures the wait starts at 1 s and doubles with each further failure, up to 15 minutes. */
const FIRST_WAIT_MS = 1000;
const MAX_WAIT_MS = 15 * 60_000;

function waitWords(ms: number): string {
  const seconds = Math.max(1, Math.ceil(ms / 1000));
  if (seconds < 60) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}

const tooMany = (reply: FastifyReply, waitMs: number, what: string) => {
  void reply.header('retry-after', String(Math.max(1, Math.ceil(waitMs / 1000))));
  return new HttpError(429, 'rate_limited', `${what} Try again in ${waitWords(waitMs)}, or ask an admin to reset your password.`);
};

export async function registerAuthRoutes(app: FastifyInstance, o: AuthRouteOptions): Promise<void> {
  const mode: AuthMode = o.mode;
  // One limiter for every check of a password (sign-in, password change, token creation), so a stolen session
  // cannot guess the password through another route than sign-in.
  const limiter = createLoginLimiter({
    freeFailures: (o.mode === 'on' && o.loginFailures?.max) || 5,
    firstWaitMs: FIRST_WAIT_MS,
    maxWaitMs: MAX_WAIT_MS,
    forgetAfterMs: (o.mode === 'on' && o.loginFailures?.windowMs) || 15 * 60_000,
  });
  /**
   * Runs a password check counted against its address and account: refused (429) while they must wait, counted as
   * a failure before the slow check (so guesses sent in parallel cannot all slip under the limit), and a success
   * (a truthy answer) clears the count.
   */
  const limited = async <T>(req: FastifyRequest, reply: FastifyReply, email: string, what: string, check: () => Promise<T>): Promise<T> => {
    const key = `${addressKey(req.ip)}\u0000${email}`;
    const wait = limiter.retryAfter(key);
    if (wait > 0) throw tooMany(reply, wait, what);
    limiter.fail(key);
    const ok = await check();
    if (ok) limiter.succeed(key);
    return ok;
  };
  /** The accounts service; in AUTH=off mode the routes that need it answer 404 instead. */
  const accounts = (): AuthService => {
    if (o.mode === 'off') {
      throw notFound('This server runs without sign-in (AUTH=off): there are no accounts, users or tokens.');
    }
    return o.service;
  };
  const secure = o.mode === 'on' && o.secureCookies;
  // A cap on every attempt from one address, whatever the account: stops spraying one password over many emails.
  await app.register(rateLimit, {
    global: false,
    // By network, as the sign-in limiter counts: one IPv6 host has a whole /64 to rotate through.
    keyGenerator: (req) => addressKey(req.ip),
    errorResponseBuilder: (_req, ctx) =>
      new HttpError(429, 'rate_limited', `Too many attempts from your address. Try again in ${Math.ceil(ctx.ttl / 1000)} s.`),
  });
  const perAddress = { rateLimit: { max: 30, timeWindow: 60_000 } };

  const signedIn = (req: FastifyRequest): Principal => {
    if (!req.principal) throw unauthorized();
    return req.principal;
  };
  const sessionOf = (p: Principal): Session => ({ user: p.user, csrf_token: p.csrfToken ?? null, auth: mode });

  app.get('/api/session', async (req) => {
    parseOr400(NoQuerySchema, req.query, 'query');
    return sessionOf(signedIn(req));
  });

  app.post('/api/session', { config: perAddress }, async (req, reply) => {
    if (o.mode === 'off') return sessionOf({ user: LOCAL_USER, via: 'local' });
    const service = o.service;
    const { email, password } = parseOr400(SignInSchema, req.body, 'body');
    const user = await limited(req, reply, email, 'Too many failed sign-ins.', () => service.checkCredentials(email, password));
    if (!user) throw unauthorized('Email or password is wrong.');
    // A new session on every sign-in (never reuse one a browser already had: session fixation).
    if (req.principal?.sessionHash) service.endSession(req.principal.sessionHash);
    const { cookieValue, csrfToken } = service.startSession(user.id);
    setSessionCookie(reply, cookieValue, secure);
    return { user, csrf_token: csrfToken, auth: 'on' } satisfies Session;
  });

  app.delete('/api/session', async (req, reply) => {
    const p = signedIn(req);
    if (p.sessionHash) accounts().endSession(p.sessionHash);
    clearSessionCookie(reply, secure);
    // Private pages and models this browser cached while signed in go too (on https and localhost).
    void reply.header('clear-site-data', '"cache"');
    return reply.status(204).send();
  });

  app.post('/api/session/password', { config: perAddress }, async (req, reply) => {
    const service = accounts();
    const p = signedIn(req);
    const body = parseOr400(ChangePasswordSchema, req.body, 'body');
    // The new password's rules first: breaking one is no guess at the current password.
    assertNewPassword(body.new_password, p.user);
    const changed = await limited(req, reply, p.user.email, 'Too many wrong passwords.', () =>
      service.changePassword(p.user.id, {
        current: body.current_password,
        next: body.new_password,
        keepSessionHash: p.sessionHash ?? null,
        revokeTokens: body.revoke_tokens,
      }),
    );
    if (!changed) throw new HttpError(400, 'bad_request', 'Current password is wrong; nothing was changed.');
    return reply.status(204).send();
  });

  app.get('/api/tokens', async (req) => {
    const service = accounts();
    parseOr400(NoQuerySchema, req.query, 'query');
    return { tokens: service.listTokens(signedIn(req).user.id) };
  });

  app.post('/api/tokens', { config: perAddress }, async (req, reply) => {
    const service = accounts();
    const { name, password } = parseOr400(CreateTokenSchema, req.body, 'body');
    const { user } = signedIn(req);
    // A token outlives the session that made it, so making one takes the password, not only a session.
    const confirmed = await limited(req, reply, user.email, 'Too many wrong passwords.', () => service.checkPassword(user.id, password));
    if (!confirmed) throw new HttpError(400, 'bad_request', 'Current password is wrong; no token was created.');
    return reply.status(201).send(service.createToken(user.id, name));
  });

  app.delete('/api/tokens/:id', async (req, reply) => {
    const service = accounts();
    const { id } = parseOr400(UserIdParamsSchema, req.params, 'token id');
    service.revokeToken(signedIn(req).user.id, id);
    return reply.status(204).send();
  });

  app.get('/api/users', async (req) => {
    const service = accounts();
    parseOr400(NoQuerySchema, req.query, 'query');
    return { users: service.listUsers() };
  });

  app.post('/api/users', async (req, reply) => {
    const service = accounts();
    const body = parseOr400(CreateUserSchema, req.body, 'body');
    return reply.status(201).send(await service.createUser(body));
  });

  app.patch('/api/users/:id', async (req) => {
    const service = accounts();
    const { id } = parseOr400(UserIdParamsSchema, req.params, 'user id');
    const body = parseOr400(UpdateUserSchema, req.body, 'body');
    return service.updateUser(id, body);
  });

  app.delete('/api/users/:id', async (req, reply) => {
    const service = accounts();
    const { id } = parseOr400(UserIdParamsSchema, req.params, 'user id');
    service.deleteUser(id, signedIn(req).user.id);
    return reply.status(204).send();
  });
}
