// What every real-browser test needs: Debian's Chromium flags, the real server as `npm start` runs it, temp
// folders, test images, and the accessibility and layout checks the quality bar asks for.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import sharp from 'sharp';

export const root = path.resolve(import.meta.dirname, '../../..');

/**
 * STACK.md's flag set (the machine has no network: without the background-networking flags Chromium floods
 * refused connections) plus --enable-unsafe-swiftshader, which gives WebGL through ANGLE on SwiftShader even
 * with --disable-gpu (that flag turns off only the hardware GPU).
 */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--enable-unsafe-swiftshader',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Debian's Chromium with a fresh profile in `userDataDir` (Playwright refuses --user-data-dir in args). */
export async function launchChromium(userDataDir: string, options: { acceptDownloads?: boolean } = {}): Promise<BrowserContext> {
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    args: CHROMIUM_ARGS,
    viewport: { width: 1440, height: 900 },
    ...options,
  });
  // Every page records what the server's Content-Security-Policy blocked, for cspViolations().
  await context.addInitScript(() => {
    const seen: string[] = [];
    Object.assign(window, { cspViolations: seen });
    document.addEventListener('securitypolicyviolation', (e) => seen.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  return context;
}

/** What the Content-Security-Policy blocked on this page so far (pages from launchChromium only). */
export function cspViolations(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/** Temp folders made during a file's tests, removed together in its afterAll. */
export function tempDirs() {
  const made: string[] = [];
  return {
    make(prefix: string): string {
      const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
      made.push(dir);
      return dir;
    },
    cleanup(): void {
      for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The real server, started as `npm start` starts it (node with tsx's loader, so SIGTERM reaches it). */
export function serverProcess(env: Record<string, string>) {
  let child: ChildProcess | undefined;
  return {
    /** Resolves with the URL once the server says it is running (it may build the page first). */
    start(port: number, dataDir: string): Promise<string> {
      return new Promise((resolve, reject) => {
        const proc = spawn(process.execPath, ['--import', 'tsx', 'src/server/main.ts'], {
          cwd: root,
          env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, AUTH: 'off', LOG_LEVEL: 'warn', ...env },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        child = proc;
        let output = '';
        const onData = (chunk: Buffer) => {
          output += chunk.toString();
          const match = /Asset Forge is running at (http:\/\/\S+?)\/?\s/.exec(output);
          if (match?.[1]) resolve(match[1]);
        };
        proc.stdout.on('data', onData);
        proc.stderr.on('data', onData);
        proc.once('exit', (code) => reject(new Error(`The server exited (${code}) before it was ready:\n${output}`)));
      });
    },
    async stop(): Promise<void> {
      const proc = child;
      if (!proc || proc.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** A coloured shape on a transparent background: something the built-in generator can really turn into a mesh. */
export function objectPng(): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="256" height="256">
    <circle cx="128" cy="120" r="84" fill="#2563eb"/>
    <rect x="88" y="176" width="80" height="52" rx="10" fill="#f59e0b"/>
  </svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

/** One flat colour: the generator's quality check fails it honestly. */
export function blankPng(): Promise<Buffer> {
  return sharp({ create: { width: 256, height: 256, channels: 3, background: '#888888' } }).png().toBuffer();
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[] }[];
}

/** axe-core's serious and critical violations on the page as it is now, one readable line each. */
export async function seriousAxeViolations(page: Page): Promise<string[]> {
  // Evaluated over DevTools rather than added as a <script>: the page's CSP rightly refuses inline scripts.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document, o: object): Promise<{ violations: AxeViolation[] }> } }).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) }));
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact}: ${v.id} (${v.help}) at ${JSON.stringify(v.nodes.map((n) => n.target))}`);
}

/** Pixels the page is wider than the viewport: anything above 0 scrolls sideways on a phone. */
export function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}
