// `npm run bench`: makes its own data, starts the real server on 127.0.0.1, runs bounded loads and prints one table
// of figures, each beside a baseline measured in the same run. Timings stay out of `npm test`; this is where they are.
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import autocannon, { type Options as LoadOptions } from 'autocannon';
import { createAuthService } from '../../src/server/auth/auth-service';
import { openDatabase } from '../../src/server/storage/database';
import { simulatePolling } from './polling-sim';
import { ROOT, seededDataDir, startServer, withCpu, withPeakRss, type ServerProcess } from '../support/server-process';
import { measureSearch } from './search-bench';
import { fmt, printTable, type BenchRow } from './table';

const LIST_URL = '/api/assets?sort=newest&limit=50';
const LOAD_SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
/** Which parts run (all by default): BENCH_PARTS=server,polling,page — a part alone while working on it. */
const parts = new Set((process.env.BENCH_PARTS ?? 'server,polling,page').split(',').map((p) => p.trim()));
const MB = 1024 * 1024;

const rows: BenchRow[] = [];
const log = (s: string) => console.error(`[bench] ${s}`);

async function etagOf(url: string, headers: Record<string, string>): Promise<string> {
  const res = await fetch(url, { headers });
  await res.arrayBuffer();
  const etag = res.headers.get('etag');
  if (!etag) throw new Error(`no ETag from ${url}`);
  return etag;
}

/** One bounded autocannon run, with the server's CPU time per answer and how busy the server was meanwhile. */
async function timedLoad(server: ServerProcess, opts: LoadOptions) {
  const { result, cpuMs, busy } = await withCpu(server.pid, () => autocannon(opts));
  return { result, busy, cpuUsPerRequest: (cpuMs * 1000) / Math.max(1, result.requests.total) };
}

const usPerReq = (v: number) => `${Math.round(v)} µs CPU/req`;

/** The same 304 load against the floor server: what any 304 costs in this framework with these headers. */
async function floorOf304(etag: string) {
  const floor = await startServer(os.tmpdir(), {}, 'tests/bench/floor-server.ts');
  try {
    const url = `${floor.url}${LIST_URL}`;
    await autocannon({ url, connections: 4, duration: 1, headers: { 'if-none-match': etag } });
    return await timedLoad(floor, { url, connections: 32, duration: LOAD_SECONDS, headers: { 'if-none-match': etag } });
  } finally {
    await floor.stop();
  }
}

/** 200s and 304s of the first page at 32 connections; returns the peak RSS seen meanwhile. */
async function listLoad(server: ServerProcess, label: string, headers: Record<string, string>): Promise<number> {
  const url = `${server.url}${LIST_URL}`;
  // Warm up: the first answers compile statements and fill caches.
  await autocannon({ url, connections: 4, duration: 1, headers });
  const { result: cached, peak: peak200 } = await withPeakRss(server.pid, () =>
    timedLoad(server, { url, connections: 32, duration: LOAD_SECONDS, headers }),
  );
  const full = cached.result;
  const etag = await etagOf(url, headers);
  const { result: revalidated, peak: peak304 } = await withPeakRss(server.pid, () =>
    timedLoad(server, { url, connections: 32, duration: LOAD_SECONDS, headers: { ...headers, 'if-none-match': etag } }),
  );
  const revalidate = revalidated.result;
  // A 200 whose body is built for it: "since" tokens of another boot ask for the full page, each under its own key,
  // so the page cache never answers (what a changed page costs the first client that asks).
  let builtSerial = 0;
  const built = await timedLoad(server, {
    url,
    connections: 32,
    duration: LOAD_SECONDS,
    headers,
    // Numbered across all connections, so no two requests share a key: a fixed list of paths is walked by each
    // connection in step with the others, and the cache then answered most of them.
    requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: `${LIST_URL}&since=AAAAAAAA.${++builtSerial}` }) }],
  });
  if (full['2xx'] === 0 || revalidate['3xx'] === 0) throw new Error(`${label}: unexpected statuses (200 run ${full['2xx']} 2xx; 304 run ${revalidate['3xx']} 3xx)`);
  const busy = (b: number) => `server busy ${Math.round(b * 100)} %`;
  log(
    `${label}: 200 ${Math.round(full.requests.average)} req/s p99 ${full.latency.p99} ms, ${usPerReq(cached.cpuUsPerRequest)}, ${busy(cached.busy)}; ` +
      `304 ${Math.round(revalidate.requests.average)} req/s p99 ${revalidate.latency.p99} ms, ${usPerReq(revalidated.cpuUsPerRequest)}, ${busy(revalidated.busy)}; ` +
      `built 200 ${Math.round(built.result.requests.average)} req/s p99 ${built.result.latency.p99} ms, ${usPerReq(built.cpuUsPerRequest)}, ${busy(built.busy)}`,
  );
  rows.push({
    figure: `GET ${LIST_URL} (50 items), 100,000 assets, 32 conns, p99 of 200${label}`,
    ours: fmt.ms(full.latency.p99),
    baseline: `p50 ${fmt.ms(full.latency.p50)}`,
    ratio: '',
    target: '≤ 20 ms',
    pass: full.latency.p99 <= 20,
  });
  // The load generator shares the machine's 2 cores with the server, so at 32 connections the cheap answers are
  // often limited by autocannon, not the server (see "server busy"). The server's CPU time per answer is what
  // bounds its own throughput (one core's worth of requests per CPU-second); the target is judged on that, and
  // the raw requests per second are reported beside it.
  const capacityRatio = built.cpuUsPerRequest / revalidated.cpuUsPerRequest;
  const floor = label === '' ? await floorOf304(etag) : null;
  const rawRatio = revalidate.requests.average / built.result.requests.average;
  rows.push(
    {
      figure: `same, 304 revalidation vs full 200 built each time: server throughput (requests per CPU-second)${label}`,
      ours: `${usPerReq(revalidated.cpuUsPerRequest)} (${fmt.rps(1e6 / revalidated.cpuUsPerRequest)} per core)`,
      baseline: `${usPerReq(built.cpuUsPerRequest)} (${fmt.rps(1e6 / built.cpuUsPerRequest)} per core)`,
      ratio: fmt.ratio(capacityRatio),
      target: '≥ 5×',
      pass: capacityRatio >= 5,
    },
    {
      figure: `same, measured at 32 conns (load generator on the same 2 cores)${label}`,
      ours: `${fmt.rps(revalidate.requests.average)}, ${busy(revalidated.busy)}`,
      baseline: `${fmt.rps(built.result.requests.average)} (p99 ${fmt.ms(built.result.latency.p99)}), ${busy(built.busy)}`,
      ratio: fmt.ratio(rawRatio),
      target: '≥ 5×',
      pass: rawRatio >= 5,
    },
    ...(floor === null
      ? []
      : [
          {
            figure: 'same, the floor: a bare Fastify 304 with our security headers and nothing else (tests/bench/floor-server.ts)',
            ours: usPerReq(revalidated.cpuUsPerRequest),
            baseline: `${usPerReq(floor.cpuUsPerRequest)}, ${fmt.rps(floor.result.requests.average)}; ratio at best ${fmt.ratio(built.cpuUsPerRequest / floor.cpuUsPerRequest)}`,
            ratio: fmt.ratio(revalidated.cpuUsPerRequest / floor.cpuUsPerRequest),
            target: '—',
            pass: null,
          },
        ]),
    {
      figure: `same, 304 vs a 200 the page cache answers (reference: the same work plus the 50 kB body)${label}`,
      ours: usPerReq(revalidated.cpuUsPerRequest),
      baseline: `${usPerReq(cached.cpuUsPerRequest)}, ${fmt.rps(full.requests.average)}`,
      ratio: fmt.ratio(cached.cpuUsPerRequest / revalidated.cpuUsPerRequest),
      target: '—',
      pass: null,
    },
  );
  return Math.max(peak200, peak304);
}

async function main(): Promise<void> {
  const t0 = performance.now();
  const cpu = os.cpus();
  console.log(`# Asset Forge benchmark — ${new Date().toISOString()}`);
  console.log(`# ${cpu.length} cores (${cpu[0]?.model.trim() ?? 'unknown CPU'}), Node ${process.version}, ${os.platform()} ${os.release()}, ${Math.round(os.totalmem() / 1e9)} GB RAM`);

  // --- 100,000 assets: list, revalidation, counts, search, memory -------------------------------------------------
  if (parts.has('server')) {
    log('seeding 100,000 assets…');
    const big = await seededDataDir(100_000);
    const seedMs = big.seed.filesMs + big.seed.insertMs;
    rows.push({
      figure: 'bulk seed, 100,000 assets (shared files made by the real generator + rows)',
      ours: `${(seedMs / 1000).toFixed(1)} s`,
      baseline: `${big.seed.versions.toLocaleString('en-US')} versions`,
      ratio: '',
      target: '< 30 s',
      pass: seedMs < 30_000,
    });
    const servers: ServerProcess[] = [];
    try {
      let server = await startServer(big.dir);
      servers.push(server);
      log(`server on ${server.url} (RSS ${Math.round(server.rss() / MB)} MB after start)`);
      let peak = await listLoad(server, '', {});

      log('search and counts…');
      const search = await withPeakRss(server.pid, () => measureSearch({ dataDir: big.dir, origin: server.url }));
      peak = Math.max(peak, search.peak);
      rows.push(...search.result);

      rows.push({
        figure: 'server RSS, 100,000 assets, peak under the loads above',
        ours: `${Math.round(peak / MB)} MB`,
        baseline: `${Math.round(server.rss() / MB)} MB after`,
        ratio: '',
        target: '≤ 200 MB',
        pass: peak <= 200 * MB,
      });
      await server.stop();
      servers.pop();

      // Signed in: every request also looks its Bearer token up (one indexed SELECT), as a real page's session does.
      const db = openDatabase(path.join(big.dir, 'asset-forge.sqlite'));
      let token: string;
      try {
        const auth = createAuthService(db, { passwordCost: { logN: 10, r: 8, p: 1 } });
        const user = await auth.createUser({ email: 'bench@studio.example', name: 'Bench', role: 'editor', password: 'quiet harbour lantern' });
        token = auth.createToken(user.id, 'bench').secret;
      } finally {
        db.close();
      }
      server = await startServer(big.dir, { AUTH: 'on' });
      servers.push(server);
      await listLoad(server, ', signed in (Bearer token)', { authorization: `Bearer ${token}` });
      await server.stop();
      servers.pop();
    } finally {
      await Promise.all(servers.map((s) => s.stop()));
      big.remove();
    }
  }

  // --- an open dashboard of 1,000 assets, 1 % of them changing per minute, 5 minutes -------------------------------
  if (parts.has('polling')) {
    log('polling: 1,000 assets, 5 simulated minutes…');
    const small = await seededDataDir(1000);
    try {
      const server = await startServer(small.dir, { ASSET_COUNTDOWN_MS: String(3600_000) });
      try {
        const r = await simulatePolling({ origin: server.url, dataDir: small.dir, minutes: 5, changeRate: 0.01 });
        const c = r.clients;
        log(`polling: ${r.changes} changes, ${r.writes} writes, ${Math.round(r.wallMs / 1000)} s; ${JSON.stringify(c)}`);
        const base = c['full-list'].bytes;
        const row = (figure: string, bytes: number, requests: number, notModified: number): BenchRow => ({
          figure,
          ours: `${fmt.bytes(bytes)} (${requests} req, ${notModified} × 304)`,
          baseline: `${fmt.bytes(base)} (${c['full-list'].requests} req)`,
          ratio: fmt.percent(bytes / base),
          target: '≤ 2 %',
          pass: bytes / base <= 0.02,
        });
        rows.push(
          row('bytes, dashboard of 1,000 assets, 5 min, 1 %/min changing — page with since= (vs full list every 2 s)', c.since.bytes, c.since.requests, c.since.notModified),
          row('same, page with conditional GETs only (today\'s page)', c.conditional.bytes, c.conditional.requests, c.conditional.notModified),
          {
            figure: 'same, first page (24) re-downloaded every 2 s without ETag (reference)',
            ours: fmt.bytes(c['same-page'].bytes),
            baseline: fmt.bytes(base),
            ratio: fmt.percent(c['same-page'].bytes / base),
            target: '—',
            pass: null,
          },
        );
      } finally {
        await server.stop();
      }
    } finally {
      small.remove();
    }
  }

  // --- the page in Chromium, 10,000 assets (tests/bench/page-bench.ts, when present) -------------------------------
  if (parts.has('page')) {
    const pageBench = path.join(ROOT, 'tests/bench/page-bench.ts');
    if (existsSync(pageBench)) {
      log('page: seeding 10,000 assets and serving the built page…');
      const mid = await seededDataDir(10_000);
      try {
        // WEB_BUILD=1: the server builds dist/ first when the page's sources are newer than it.
        const server = await startServer(mid.dir, { WEB_BUILD: '1' });
        try {
          const mod = (await import(pathToFileURL(pageBench).href)) as {
            measurePage(opts: { baseUrl: string }): Promise<BenchRow[]>;
          };
          rows.push(...(await mod.measurePage({ baseUrl: server.url })));
        } catch (err) {
          log(`page bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
          rows.push({ figure: 'page figures (tests/bench/page-bench.ts)', ours: 'failed', baseline: '', ratio: '', target: '', pass: false });
        } finally {
          await server.stop();
        }
      } finally {
        mid.remove();
      }
    } else {
      log('tests/bench/page-bench.ts not found: no page figures');
    }
  }

  console.log(`# finished in ${Math.round((performance.now() - t0) / 1000)} s\n`);
  printTable(rows);
  if (rows.some((r) => r.pass === false)) process.exitCode = 1;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
