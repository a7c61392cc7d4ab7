// Starts Asset Forge: reads the environment, builds the page if needed, opens the database, seeds demo
// assets on first start, resumes unfinished work, listens, and shuts down gracefully on SIGINT/SIGTERM.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildApp, type AuthSettings } from './app';
import { createAuthService } from './auth/auth-service';
import { describeFirstAdmin, ensureFirstAdmin } from './auth/bootstrap';
import { readConfig, type Config } from './config';
import { systemFault } from './errors';
import { createWorkerGenerator } from './pipeline/worker-generator';
import { createAssetRepository } from './storage/asset-repository';
import { openDatabase } from './storage/database';
import { createFileStore, ensureDir } from './storage/file-store';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const webDir = path.join(root, 'dist');

/** Newest modification time under the page's sources, to tell whether dist/ is stale. */
function newestSource(): number {
  let newest = 0;
  const visit = (p: string) => {
    const st = fs.statSync(p, { throwIfNoEntry: false });
    if (!st) return;
    if (st.isDirectory()) fs.readdirSync(p).forEach((f) => visit(path.join(p, f)));
    else newest = Math.max(newest, st.mtimeMs);
  };
  ['src/web', 'src/contract', 'public', 'index.html', 'vite.config.ts'].forEach((p) => visit(path.join(root, p)));
  return newest;
}

async function ensureWebBuild(): Promise<void> {
  const built = fs.statSync(path.join(webDir, 'index.html'), { throwIfNoEntry: false });
  if (built && built.mtimeMs >= newestSource()) return;
  console.log(built ? 'The page changed since it was last built; building it…' : 'Building the page (first start)…');
  try {
    const vite = await import('vite');
    await vite.build({ root, configFile: path.join(root, 'vite.config.ts'), logLevel: 'warn' });
  } catch (err) {
    console.error('Could not build the page; the API still runs.', err);
  }
}

async function main(config: Config): Promise<void> {
  if (config.webBuild) await ensureWebBuild();
  const { db, files } = await openDataDir(config.dataDir);
  const repo = createAssetRepository(db);
  const swept = await files.sweep(repo.storedFiles());
  if (swept > 0) console.log(`Removed ${swept} unfinished files left by an earlier stop.`);
  // Steps run in worker threads, so meshing a model never stalls the requests of people using the page.
  const generator = createWorkerGenerator({
    size: config.workers,
    onUnexpectedError: (step, err) => console.error(`A ${step} step failed unexpectedly:`, err),
  });
  const auth = await startAuth(config, db);

  const app = await buildApp({
    auth,
    repo,
    files,
    generator,
    stepMs: config.stepMs,
    countdownMs: config.countdownMs,
    stepTimeoutMs: config.stepTimeoutMs,
    workers: config.workers,
    logLevel: config.logLevel,
    webDir,
    trustProxy: config.trustProxy,
  });

  if (config.seed) {
    // Loaded only when seeding: it brings the image libraries a server that just lists never needs.
    const { seedDemoAssets } = await import('./seed/seed');
    const seeded = await seedDemoAssets({ repo, files, generator, log: app.log });
    if (seeded > 0) console.log(`Seeded ${seeded} demo assets in ${config.dataDir}`);
  }
  app.assets.resume();

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    console.log(`${signal}: finishing requests and stopping…`);
    const force = setTimeout(() => {
      console.error('Shutdown took too long; exiting.');
      process.exit(1);
    }, 10_000);
    force.unref();
    // close() ends only the connections idle right now; a browser's keep-alive one whose request was in flight
    // would hold the stop open until the force timeout. Close each as soon as its response is done.
    setInterval(() => app.server.closeIdleConnections(), 100).unref();
    try {
      await app.close(); // stops listening, lets requests finish, hands running steps back to the database
      await generator.close();
      const unfinished = repo.processingIds().length;
      db.close();
      console.log(unfinished > 0 ? `Stopped; ${unfinished} unfinished step(s) resume on the next start.` : 'Stopped.');
      process.exit(0);
    } catch (err) {
      console.error(err);
      process.exit(1);
    }
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const shownHost = config.host.includes(':') ? `[${config.host}]` : config.host;
  console.log(`Asset Forge is running at http://${shownHost}:${port}/  (data in ${config.dataDir})`);
}

/** Sign-in: the accounts service and, on the very first start, the first admin. */
async function startAuth(config: Config, db: ReturnType<typeof openDatabase>): Promise<AuthSettings> {
  if (config.auth === 'off') {
    console.log('Sign-in is off (AUTH=off): everyone on this machine acts as the admin.');
    return { mode: 'off' };
  }
  const service = createAuthService(db);
  const first = await ensureFirstAdmin(service, config.admin);
  if (first) console.log(describeFirstAdmin(first));
  else if (config.admin.email) console.log('ADMIN_EMAIL and ADMIN_PASSWORD are ignored: accounts already exist.');
  return { mode: 'on', service, secureCookies: config.secureCookies };
}

/** Opens the database and files folder, or fails with one line saying what is wrong with DATA_DIR. */
async function openDataDir(dir: string) {
  try {
    await ensureDir(dir);
    // Probed first: SQLite's own word for a read-only or missing folder is "unable to open database file".
    fs.rmSync(fs.mkdtempSync(path.join(dir, '.write-check-')), { recursive: true });
    const db = openDatabase(path.join(dir, 'asset-forge.sqlite'));
    return { db, files: await createFileStore(path.join(dir, 'files')) };
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    // ENOENT here means a folder on the path cannot be made (e.g. under /proc).
    const words = code === 'ENOENT' ? 'a folder on its path cannot be created' : systemFault(err)?.words;
    if (!words) throw err;
    throw new Error(`DATA_DIR ${dir} cannot be used: ${words} (${String(code)}). Set DATA_DIR to a folder this user can write.`, {
      cause: err,
    });
  }
}

let config: Config;
try {
  config = readConfig();
} catch (err) {
  console.error((err as Error).message);
  process.exit(1);
}
main(config).catch((err: unknown) => {
  console.error('Asset Forge could not start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
