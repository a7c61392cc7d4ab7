// Bytes on the wire for an open dashboard: the page's polling replayed against the real server, with the assets
// changing underneath it as the pipeline would change them.
//
// Time is simulated, not waited for: events (the pipeline's writes and the page's polls) run in the order of their
// simulated times, each write going into the database the server reads and each poll being a real HTTP request.
// That stays faithful because what the server answers depends only on what is in the database when the request
// arrives (the seeded assets have no step running and no countdown, so the server's own timers write nothing);
// wall-clock time only shows in the Date and x-server-time headers, whose lengths do not change. So every request
// carries the same bytes it would in a real five minutes, and the run takes seconds.
import http from 'node:http';
import path from 'node:path';
import type { Socket } from 'node:net';
import { AssetListSchema, mergeListPage, type AssetList } from '../../src/contract/api';
import type { Asset } from '../../src/contract/asset';
import { createAssetRepository } from '../../src/server/storage/asset-repository';
import { openDatabase } from '../../src/server/storage/database';
import { seededRandom as random } from '../../src/server/seed/seeded-random';

// The page's own rules (src/web/features/assets/api/polling.ts, list-params.ts), restated so that the benchmark
// needs no browser build: fast while anything moves, slow otherwise, pages of 24, newest first.
const FAST_POLL_MS = 1000;
const SLOW_POLL_MS = 30_000;
const PAGE_SIZE = 24;
const isMoving = (a: Asset) => a.status.phase === 'processing' || (a.status.phase === 'completed' && a.next_step_at !== null);
const listIsMoving = (page: AssetList) => page.counts.processing > 0 || page.items.some(isMoving);

/** What Chromium sends with the page's fetch(): the same for every client here, so none is favoured. */
function browserHeaders(origin: string): Record<string, string> {
  return {
    accept: 'application/json',
    'accept-encoding': 'gzip, deflate, br, zstd',
    'accept-language': 'en-GB,en;q=0.9',
    cookie: 'af_session=q3YtR1l8k2m0Zb9xWcVnP4sJdHfGaEiUoLrTyQwXe5M',
    referer: `${origin}/`,
    'sec-ch-ua': '"Chromium";v="131", "Not_A Brand";v="24"',
    'sec-ch-ua-mobile': '?0',
    'sec-ch-ua-platform': '"Linux"',
    'sec-fetch-dest': 'empty',
    'sec-fetch-mode': 'cors',
    'sec-fetch-site': 'same-origin',
    'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  };
}

/** One browser tab: a keep-alive connection whose bytes in both directions are counted. */
class Tab {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  private readonly sockets = new Set<Socket>();
  private readonly etags = new Map<string, { etag: string; body: unknown }>();
  requests = 0;
  notModified = 0;

  constructor(
    private readonly origin: string,
    private readonly conditional: boolean,
  ) {}

  /** GET like the page's apiGet: If-None-Match from the last answer for this URL, 304 gives back that body. */
  async get(pathAndQuery: string): Promise<unknown> {
    const cached = this.conditional ? this.etags.get(pathAndQuery) : undefined;
    const headers = { ...browserHeaders(this.origin), ...(cached ? { 'if-none-match': cached.etag } : {}) };
    this.requests++;
    const { status, etag, text } = await new Promise<{ status: number; etag: string | undefined; text: string }>((resolve, reject) => {
      const req = http.get(`${this.origin}${pathAndQuery}`, { agent: this.agent, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, etag: res.headers.etag, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.on('socket', (s) => this.sockets.add(s));
      req.on('error', reject);
    });
    if (status === 304 && cached) {
      this.notModified++;
      return cached.body;
    }
    if (status !== 200) throw new Error(`GET ${pathAndQuery} answered ${status}: ${text.slice(0, 200)}`);
    const body: unknown = JSON.parse(text);
    if (this.conditional && etag) this.etags.set(pathAndQuery, { etag, body });
    return body;
  }

  bytes(): number {
    let n = 0;
    for (const s of this.sockets) n += s.bytesRead + s.bytesWritten;
    return n;
  }

  close(): void {
    this.agent.destroy();
  }
}

interface Client {
  name: string;
  tab: Tab;
  /** Polls once; returns when to poll next, in ms after this poll. */
  poll(): Promise<number>;
}

const listPath = (extra = '') => `/api/assets?sort=newest&limit=${PAGE_SIZE}${extra}`;

/** Today's page: the first page, conditional GETs, the page's interval rule. */
function conditionalPage(origin: string): Client {
  const tab = new Tab(origin, true);
  return {
    name: 'conditional',
    tab,
    async poll() {
      const page = AssetListSchema.parse(await tab.get(listPath()));
      return listIsMoving(page) ? FAST_POLL_MS : SLOW_POLL_MS;
    },
  };
}

/** The page with "changes since": conditional GETs carrying the token of the page it holds, merged into it. */
function changesSincePage(origin: string): Client {
  const tab = new Tab(origin, true);
  let held: AssetList | undefined;
  return {
    name: 'since',
    tab,
    async poll() {
      const answer = AssetListSchema.parse(await tab.get(listPath(`&since=${encodeURIComponent(held?.token ?? '0')}`)));
      held = mergeListPage(held, answer) ?? AssetListSchema.parse(await tab.get(listPath('&since=0')));
      return listIsMoving(held) ? FAST_POLL_MS : SLOW_POLL_MS;
    },
  };
}

/** The naive page: the whole list (all pages of 100), downloaded again every 2 s, never conditional. */
function fullListEvery2s(origin: string): Client {
  const tab = new Tab(origin, false);
  return {
    name: 'full-list',
    tab,
    async poll() {
      let cursor: string | null = null;
      do {
        const page: AssetList = AssetListSchema.parse(
          await tab.get(`/api/assets?sort=newest&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`),
        );
        cursor = page.next_cursor;
      } while (cursor);
      return 2000;
    },
  };
}

/** The same first page, unconditionally every 2 s: what the page would cost with no ETag and no changes-since. */
function samePageEvery2s(origin: string): Client {
  const tab = new Tab(origin, false);
  return {
    name: 'same-page',
    tab,
    async poll() {
      await tab.get(listPath());
      return 2000;
    },
  };
}

export interface PollingResult {
  simulatedMs: number;
  changes: number;
  writes: number;
  clients: Record<'since' | 'conditional' | 'full-list' | 'same-page', { bytes: number; requests: number; notModified: number }>;
  wallMs: number;
}

export interface PollingOptions {
  origin: string;
  dataDir: string;
  minutes?: number;
  /** Share of the assets that change per minute. */
  changeRate?: number;
  /** How long a step runs (the server's default minimum, ASSET_STEP_MS). */
  stepMs?: number;
  seed?: number;
}


export async function simulatePolling(o: PollingOptions): Promise<PollingResult> {
  const started = performance.now();
  const minutes = o.minutes ?? 5;
  const stepMs = o.stepMs ?? 4000;
  const end = minutes * 60_000;
  const rnd = random(o.seed ?? 11);
  const db = openDatabase(path.join(o.dataDir, 'asset-forge.sqlite'));
  const repo = createAssetRepository(db);

  // A change is what the pipeline does to an asset: a revision is asked for, the step runs with its progress
  // ticking every 250 ms (as the step runner writes it), and the asset is For Review again with a new version.
  const candidates = (db.prepare(`SELECT id FROM assets WHERE phase IN ('for_review', 'completed') ORDER BY id`).all() as { id: string }[]).map(
    (r) => r.id,
  );
  const total = (db.prepare(`SELECT COUNT(*) AS n FROM assets`).get() as { n: number }).n;
  const perMinute = Math.max(1, Math.round(total * (o.changeRate ?? 0.01)));
  type Write = { at: number; run: () => void };
  const writes: Write[] = [];
  const busy = new Set<string>();
  let changes = 0;
  for (let m = 0; m < minutes; m++) {
    const starts = Array.from({ length: perMinute }, () => m * 60_000 + Math.floor(rnd() * 60_000)).sort((a, b) => a - b);
    for (const at of starts) {
      const id = candidates[Math.floor(rnd() * candidates.length)] as string;
      if (busy.has(id)) continue;
      busy.add(id);
      changes++;
      const note = 'Less shiny, more worn.';
      writes.push({
        at,
        run: () =>
          db.transaction(() => {
            const row = repo.get(id);
            if (!row) return;
            repo.addRevision(id, 'geometry', note, Date.now());
            repo.updateState(row, { phase: 'processing', progress: 0, error_message: null, next_step_at: null, job_source: 'revision', job_note: note }, Date.now());
          })(),
      });
      for (let t = 250; t < stepMs; t += 250) {
        const p = Math.floor(Math.min(0.99, t / stepMs) * 100) / 100;
        writes.push({ at: at + t, run: () => repo.setProgress(id, p) });
      }
      writes.push({
        at: at + stepMs,
        run: () =>
          db.transaction(() => {
            const row = repo.get(id);
            const latest = repo.latestVersion(id);
            if (!row || !latest) return;
            repo.addVersion({ ...latest, n: repo.nextVersionNumber(id), source: 'revision', note, created_at: Date.now() });
            repo.updateState(row, { phase: 'for_review', progress: null, job_source: null, job_note: null }, Date.now());
            busy.delete(id);
          })(),
      });
    }
  }
  writes.sort((a, b) => a.at - b.at);

  const clients = [changesSincePage(o.origin), conditionalPage(o.origin), fullListEvery2s(o.origin), samePageEvery2s(o.origin)];
  const due = new Map<Client, number>(clients.map((c) => [c, 0]));
  let w = 0;
  for (;;) {
    // The next poll due, in simulated time; every write before it lands first.
    let next: Client | undefined;
    for (const c of clients) if ((due.get(c) ?? Infinity) < (next ? (due.get(next) ?? Infinity) : Infinity)) next = c;
    const at = next ? (due.get(next) ?? Infinity) : Infinity;
    if (!next || at >= end) break;
    while (w < writes.length && (writes[w] as Write).at <= at) (writes[w++] as Write).run();
    due.set(next, at + (await next.poll()));
  }
  db.close();

  const result = {} as PollingResult['clients'];
  for (const c of clients) {
    result[c.name as keyof PollingResult['clients']] = { bytes: c.tab.bytes(), requests: c.tab.requests, notModified: c.tab.notModified };
    c.tab.close();
  }
  return { simulatedMs: end, changes, writes: w, clients: result, wallMs: performance.now() - started };
}
