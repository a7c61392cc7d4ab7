// A fresh app on a temp data dir per test, plus small helpers to drive it through app.inject().
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { AssetSchema, type Asset, type Phase } from '../../../src/contract/asset';
import type { Role } from '../../../src/contract/auth';
import { buildApp, type AppDeps } from '../../../src/server/app';
import { createAuthService, type AuthService } from '../../../src/server/auth/auth-service';
import { createBuiltinGenerator } from '../../../src/server/pipeline/builtin-generator';
import { createAssetRepository, type AssetRepository } from '../../../src/server/storage/asset-repository';
import { openDatabase, type Db } from '../../../src/server/storage/database';
import { createFileStore, type FileStore } from '../../../src/server/storage/file-store';

export interface TestApp {
  app: FastifyInstance;
  repo: AssetRepository;
  files: FileStore;
  db: Db;
  dataDir: string;
  /** The accounts service when the app was made with `signIn: true`. */
  accounts: AuthService | undefined;
  /** Closes the app and the database; keeps the data dir when `keepData` (to restart on it). */
  close(keepData?: boolean): Promise<void>;
}

/** Cheap scrypt for tests (the production cost is tested on its own in tests/server/auth). */
export const TEST_PASSWORD_COST = { logN: 10, r: 8, p: 1 };

export async function makeTestApp(
  o: Partial<AppDeps> & { dataDir?: string; signIn?: boolean; secureCookies?: boolean; now?: () => number } = {},
): Promise<TestApp> {
  const { signIn, secureCookies = false, ...deps } = o;
  const dataDir = o.dataDir ?? mkdtempSync(path.join(tmpdir(), 'asset-forge-test-'));
  const db = openDatabase(path.join(dataDir, 'asset-forge.sqlite'));
  const files = await createFileStore(path.join(dataDir, 'files'));
  const repo = createAssetRepository(db);
  const accounts = signIn
    ? createAuthService(db, { passwordCost: TEST_PASSWORD_COST, ...(o.now ? { now: o.now } : {}) })
    : undefined;
  const app = await buildApp({
    // Most tests exercise the asset contract single-user (AUTH=off); `signIn: true` turns accounts on.
    auth: accounts ? { mode: 'on', service: accounts, secureCookies } : { mode: 'off' },
    repo,
    files,
    generator: createBuiltinGenerator(),
    stepMs: 0,
    countdownMs: 60_000,
    stepTimeoutMs: 30_000,
    workers: 1,
    ...deps,
  });
  app.assets.resume();
  return {
    app,
    repo,
    files,
    db,
    dataDir,
    accounts,
    async close(keepData = false) {
      await app.close();
      db.close();
      if (!keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A PNG of a shaded disc on a transparent background: an object the built-in generator can read. */
export async function objectPng(size = 96, colour = '#c0533a'): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}">
    <defs><radialGradient id="g" cx="40%" cy="35%" r="65%"><stop offset="0" stop-color="#fff"/><stop offset="1" stop-color="${colour}"/></radialGradient></defs>
    <ellipse cx="${size / 2}" cy="${size / 2}" rx="${size * 0.3}" ry="${size * 0.42}" fill="url(#g)"/></svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

export async function blankPng(size = 96): Promise<Buffer> {
  return sharp({ create: { width: size, height: size, channels: 3, background: '#ffffff' } }).png().toBuffer();
}

export interface FilePart {
  field: string;
  bytes: Uint8Array;
  filename: string;
  type?: string;
}

/** Serialises a multipart body the way a browser's FormData would. */
export async function multipart(fields: Record<string, string>, files: FilePart[]) {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  for (const f of files) form.append(f.field, new Blob([new Uint8Array(f.bytes)], { type: f.type ?? 'application/octet-stream' }), f.filename);
  const res = new Response(form);
  return {
    payload: Buffer.from(await res.arrayBuffer()),
    headers: { 'content-type': res.headers.get('content-type') ?? '' },
  };
}

export function asAsset(res: LightMyRequestResponse): Asset {
  return AssetSchema.parse(res.json());
}

export async function createAsset(
  app: FastifyInstance,
  o: { name?: string; images?: Buffer[]; polycount?: string } = {},
): Promise<Asset> {
  const images = o.images ?? [await objectPng()];
  const body = await multipart(
    { name: o.name ?? 'Test vase', ...(o.polycount ? { polycount: o.polycount } : {}) },
    images.map((bytes, i) => ({ field: 'images', bytes, filename: `view-${i}.png`, type: 'image/png' })),
  );
  const res = await app.inject({ method: 'POST', url: '/api/assets', ...body });
  if (res.statusCode !== 201) throw new Error(`create failed: ${res.statusCode} ${res.body}`);
  return asAsset(res);
}

export async function getAsset(app: FastifyInstance, id: string): Promise<Asset> {
  const res = await app.inject({ method: 'GET', url: `/api/assets/${id}` });
  if (res.statusCode !== 200) throw new Error(`get failed: ${res.statusCode} ${res.body}`);
  return asAsset(res);
}

/** Polls the API (as a client would) until the asset satisfies `until`, or fails after `timeoutMs`. */
export async function waitForAsset(
  app: FastifyInstance,
  id: string,
  until: Phase | ((a: Asset) => boolean),
  timeoutMs = 20_000,
): Promise<Asset> {
  const ok = typeof until === 'string' ? (a: Asset) => a.status.phase === until : until;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const a = await getAsset(app, id);
    if (ok(a)) return a;
    if (Date.now() > deadline) throw new Error(`asset ${id} did not reach the expected state; last: ${JSON.stringify(a.status)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export function post(app: FastifyInstance, url: string, payload?: object) {
  return app.inject({ method: 'POST', url, ...(payload ? { payload } : {}) });
}

export function errorOf(res: LightMyRequestResponse): { code: string; message: string } {
  return (res.json() as { error: { code: string; message: string } }).error;
}

/** Headers that make app.inject() requests as a signed-in browser: the session cookie and the CSRF token. */
export type Credentials = Record<string, string>;

/** The password of every user `signedInAs` adds (the token and password-change routes ask for it). */
export const TEST_USER_PASSWORD = 'plum kettle orbit lantern';

/** Adds a user with `role` (needs `signIn: true`) and signs them in. */
export async function signedInAs(t: TestApp, role: Role, email = `${role}@studio.example`): Promise<Credentials> {
  if (!t.accounts) throw new Error('make the test app with signIn: true');
  await t.accounts.createUser({ email, name: `A ${role}`, role, password: TEST_USER_PASSWORD });
  return signIn(t.app, email, TEST_USER_PASSWORD);
}

export async function signIn(app: FastifyInstance, email: string, password: string): Promise<Credentials> {
  const res = await app.inject({ method: 'POST', url: '/api/session', payload: { email, password } });
  if (res.statusCode !== 200) throw new Error(`sign-in failed: ${res.statusCode} ${res.body}`);
  const cookie = res.cookies.find((c) => c.name === 'af_session');
  if (!cookie) throw new Error('no session cookie');
  return { cookie: `af_session=${cookie.value}`, 'x-csrf-token': (res.json() as { csrf_token: string }).csrf_token };
}
