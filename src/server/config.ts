// Reads the service's settings from the environment (SPEC §6), failing fast with a readable message.
import { isIP } from 'node:net';
import path from 'node:path';
import { z } from 'zod';
import { EmailSchema } from '../contract/auth';
import { FIRST_ADMIN_NAME } from './auth/bootstrap';
import { newPasswordProblem } from './auth/password-policy';

const msString = (fallback: number) =>
  z
    .string()
    .regex(/^\d+$/, 'must be a whole number of milliseconds')
    .transform(Number)
    .optional()
    .transform((v) => v ?? fallback);

/** An IPv4 or IPv6 address, optionally with a /prefix. */
function isAddressOrCidr(entry: string): boolean {
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

/**
 * Which proxies may say who the client is (X-Forwarded-For) and that it came over https (X-Forwarded-Proto): none
 * when unset or empty; a number of proxy hops in front of the server ("1"); or a comma-separated list of the
 * proxies' addresses or CIDRs ("127.0.0.1, 10.0.0.0/8"). "true" (trust anyone) is refused, since any client could then
 * pick its own address and escape the sign-in limits.
 */
const TrustProxySchema = z
  .string()
  .optional()
  .transform((v, ctx): number | string[] | undefined => {
    const text = v?.trim() ?? '';
    if (text === '') return undefined;
    if (/^\d+$/.test(text)) {
      const hops = Number(text);
      if (hops >= 1 && hops <= 10) return hops;
      if (hops === 0) return undefined;
    }
    const entries = text.split(',').map((e) => e.trim());
    const bad = entries.find((e) => !isAddressOrCidr(e));
    if (bad === undefined) return entries;
    ctx.addIssue({
      code: 'custom',
      message: `must be a number of proxy hops (1 to 10) or a comma-separated list of proxy addresses or CIDRs, such as 127.0.0.1 or 10.0.0.0/8; "${bad.slice(0, 60)}" is neither`,
    });
    return z.NEVER;
  });

const EnvSchema = z.object({
  PORT: z
    .string()
    .regex(/^\d+$/, 'must be a port number')
    .transform(Number)
    .pipe(z.number().int().min(0).max(65535))
    .optional()
    .transform((v) => v ?? 3000),
  HOST: z.string().min(1).optional().transform((v) => v ?? '127.0.0.1'),
  DATA_DIR: z.string().min(1).optional().transform((v) => v ?? './data'),
  SEED: z.enum(['0', '1']).optional().transform((v) => v !== '0'),
  ASSET_STEP_MS: msString(4000),
  ASSET_COUNTDOWN_MS: msString(10_000),
  ASSET_STEP_TIMEOUT_MS: msString(180_000),
  ASSET_WORKERS: z
    .string()
    .regex(/^[1-8]$/, 'must be 1 to 8')
    .transform(Number)
    .optional()
    .transform((v) => v ?? 1),
  WEB_BUILD: z.enum(['0', '1']).optional().transform((v) => v !== '0'),
  AUTH: z.enum(['on', 'off']).optional().transform((v) => v ?? 'on'),
  ADMIN_EMAIL: EmailSchema.optional(),
  // Checked below with the password rules, which need ADMIN_EMAIL; never echoed.
  ADMIN_PASSWORD: z.string().optional(),
  SECURE_COOKIES: z.enum(['0', '1']).optional().transform((v) => v === '1'),
  TRUST_PROXY: TrustProxySchema,
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional().transform((v) => v ?? 'info'),
});

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  seed: boolean;
  /** Minimum time one step takes, so a person can watch its progress. */
  stepMs: number;
  /** Time between approval and the next step starting by itself. */
  countdownMs: number;
  /** A step still running after this long is failed. */
  stepTimeoutMs: number;
  /** Steps run at once; the built-in generator is CPU-bound, so one per spare core. */
  workers: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Sign-in on (the default) or off: single-user, allowed only on a loopback HOST. */
  auth: 'on' | 'off';
  /** The first admin's account, used only when the database has no users yet. */
  admin: { email: string | undefined; password: string | undefined };
  /** Mark the session cookie Secure; set it when a TLS proxy serves the page over HTTPS. */
  secureCookies: boolean;
  /** Fastify's `trustProxy`: proxy hops, or the proxies' addresses; undefined trusts no X-Forwarded-* header. */
  trustProxy: number | string[] | undefined;
  /** Build the page on start when dist/ is missing or stale; WEB_BUILD=0 serves whatever is there (API-only runs, tests). */
  webBuild: boolean;
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid environment:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  if (e.ASSET_STEP_MS >= e.ASSET_STEP_TIMEOUT_MS) {
    throw new Error(
      `Invalid environment:\n  ASSET_STEP_MS (${e.ASSET_STEP_MS}) must be less than ASSET_STEP_TIMEOUT_MS (${e.ASSET_STEP_TIMEOUT_MS}), or every step would time out.`,
    );
  }
  if (e.AUTH === 'off' && !isLoopback(e.HOST)) {
    throw new Error(
      `Invalid environment:\n  AUTH=off runs without sign-in, so it is allowed only on a loopback HOST (127.0.0.1, ::1 or localhost), not ${e.HOST}. Remove AUTH=off to serve other machines.`,
    );
  }
  if (e.ADMIN_PASSWORD !== undefined && e.ADMIN_EMAIL === undefined) {
    throw new Error('Invalid environment:\n  ADMIN_PASSWORD is set without ADMIN_EMAIL; set both, or neither to get a generated password.');
  }
  if (e.ADMIN_PASSWORD !== undefined && e.ADMIN_EMAIL !== undefined) {
    const problem = newPasswordProblem(e.ADMIN_PASSWORD, { email: e.ADMIN_EMAIL, name: FIRST_ADMIN_NAME });
    if (problem) throw new Error(`Invalid environment:\n  ADMIN_PASSWORD: ${problem}`);
  }
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir: path.resolve(e.DATA_DIR),
    seed: e.SEED,
    stepMs: e.ASSET_STEP_MS,
    countdownMs: e.ASSET_COUNTDOWN_MS,
    stepTimeoutMs: e.ASSET_STEP_TIMEOUT_MS,
    workers: e.ASSET_WORKERS,
    logLevel: e.LOG_LEVEL,
    webBuild: e.WEB_BUILD,
    auth: e.AUTH,
    admin: { email: e.ADMIN_EMAIL, password: e.ADMIN_PASSWORD },
    secureCookies: e.SECURE_COOKIES,
    trustProxy: e.TRUST_PROXY,
  };
}

/**
 * TRUST_PROXY as Fastify's `trustProxy`. A hop count becomes a function, since Fastify ignores a bare number: the
 * connection's peer and the next `hops - 1` addresses of X-Forwarded-For are taken as proxies, and the client is
 * the address before them.
 */
export function trustProxyOption(setting: number | string[]): string[] | ((address: string, hop: number) => boolean) {
  return typeof setting === 'number' ? (_address, hop) => hop < setting : setting;
}

/** 127.0.0.0/8, ::1 and localhost: addresses only this machine can reach. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}
