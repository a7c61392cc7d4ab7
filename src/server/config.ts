// Reads the service's settings from the environment (SPEC §6), failing fast with a readable message.
import path from 'node:path';
import { z } from 'zod';

const msString = (fallback: number) =>
  z
    .string()
    .regex(/^\d+$/, 'must be a whole number of milliseconds')
    .transform(Number)
    .optional()
    .transform((v) => v ?? fallback);

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
  };
}
