// Fuzzes the page routes (the built page and its assets, served next to the API) with path traversal in every
// spelling: dot segments, %2e, %2f, %5c, double encoding, overlong UTF-8, NUL. The answer is the page itself
// (client-side routes all load it) or one of its own files, never anything outside the page's folder.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { makeHarness, runs, type Harness } from './fuzz-kit';

const SECRET = 'TOP-SECRET-5f2c';
const INDEX = '<!doctype html><title>Asset Forge</title><div id="root"></div>';
/** The page's own files, by the URL path that serves them. */
const WEB_FILES: Record<string, string> = {
  '/index.html': INDEX,
  '/assets/app-1a2b3c.js': 'console.log("app")',
  '/assets/style-4d5e.css': 'body{margin:0}',
  '/favicon.svg': '<svg xmlns="http://www.w3.org/2000/svg"/>',
};

let h: Harness;
let root: string;
beforeAll(async () => {
  // <root>/web is the page; everything else under <root> (and the repository, /etc…) must stay out of reach.
  root = mkdtempSync(path.join(tmpdir(), 'asset-forge-web-'));
  const web = path.join(root, 'web');
  for (const [url, body] of Object.entries(WEB_FILES)) {
    mkdirSync(path.dirname(path.join(web, url)), { recursive: true });
    writeFileSync(path.join(web, url), body);
  }
  writeFileSync(path.join(root, 'secret.txt'), SECRET);
  writeFileSync(path.join(root, 'package.json'), SECRET);
  writeFileSync(path.join(root, 'web.txt'), SECRET);
  h = await makeHarness({ webDir: web });
});
afterAll(async () => {
  h.report('static-pages');
  await h.close();
  rmSync(root, { recursive: true, force: true });
});

const UP = [
  '..', '%2e%2e', '%2E%2E', '.%2e', '%2e.', '..%2f', '..%2F', '..%5c', '..%5C', '%2e%2e%2f', '%2e%2e%5c', '..\\',
  '%252e%252e%252f', '..%252f', '..;', '%c0%ae%c0%ae', '%e0%80%ae', '....//', '..%00', '%00', '.', '%2e', '...',
] as const;
const TARGETS = ['secret.txt', 'package.json', 'etc/passwd', 'web.txt', 'web/index.html', 'index.html', 'assets/app-1a2b3c.js', ''] as const;
const PREFIXES = ['/', '/assets/', '/assets/x/', '//', '/assets//', '/new/', '/assets/abc/', '/favicon.svg/'] as const;

const traversal = fc
  .tuple(
    fc.constantFrom(...PREFIXES),
    fc.array(fc.constantFrom(...UP), { minLength: 1, maxLength: 6 }),
    fc.constantFrom('/', '', '%2f', '%5c'),
    fc.constantFrom(...TARGETS),
  )
  .map(([prefix, ups, sep, target]) => `${prefix}${ups.join(sep)}${ups.length ? '/' : ''}${target}`);

/** What the page routes must answer for `url`: its own files by their exact path, the page for anything else. */
function expected(url: string): { status: number; body?: string } {
  // Dot segments (literal or %2e) are resolved before routing, as a browser or proxy would (and as
  // light-my-request does, keeping a leading "//" as part of the path).
  const resolved = new URL(url.startsWith('//') ? `http://host${url}` : url, 'http://host').pathname;
  let decoded: string;
  try {
    decoded = decodeURIComponent(resolved);
  } catch {
    return { status: 400 };
  }
  if (resolved === '/api' || resolved.startsWith('/api/')) return { status: 404 };
  const own = WEB_FILES[decoded];
  // Only an exact, plainly spelled path names one of the page's files; another path that looks like a file
  // is a 404 (a chunk missing after a rebuild); anything else loads the page.
  if (own !== undefined && !/%2f|%5c/i.test(resolved)) return { status: 200, body: own };
  if (/\.[A-Za-z0-9]{1,8}$/.test(resolved)) return { status: 404 };
  return { status: 200, body: INDEX };
}

describe('page routes', () => {
  it('serve only the page and its own files, whatever the path tries', async () => {
    await fc.assert(
      fc.asyncProperty(traversal, fc.constantFrom<'GET' | 'HEAD'>('GET', 'GET', 'HEAD'), async (url, method) => {
        const want = expected(url);
        await h.send('page routes', { method, url }, {
          status: want.status,
          check(res) {
            expect(res.body).not.toContain(SECRET);
            if (want.status === 404) expect(res.json()).toMatchObject({ error: { code: 'not_found' } });
            else if (method === 'GET') expect(res.body).toBe(want.body);
            else expect(res.body).toBe('');
          },
        });
      }),
      runs(250),
    );
  });

  it.each([
    ['/..%2f..%2fetc/passwd', 200, INDEX],
    ['/assets/..%2F..%2Fpackage.json', 404, undefined],
    ['/assets/..%2F..%2Fsecret.txt', 404, undefined],
    ['/%2e%2e/%2e%2e/secret.txt', 404, undefined],
    ['/assets/%2e%2e/%2e%2e/secret.txt', 404, undefined],
    ['/assets/..%5c..%5csecret.txt', 404, undefined],
    ['/..%252f..%252fsecret.txt', 404, undefined],
    ['/index.html%00.js', 404, undefined],
    ['/assets/app-0ld0ne.js', 404, undefined],
    ['/assets/app-1a2b3c.js%00', 200, INDEX],
    ['/assets/app-1a2b3c.js', 200, WEB_FILES['/assets/app-1a2b3c.js']],
    ['/assets/x/../app-1a2b3c.js', 200, WEB_FILES['/assets/app-1a2b3c.js']],
    ['/new', 200, INDEX],
    ['/assets/abc123', 200, INDEX],
  ] as const)('GET %s answers %i: the page, its own file, or a 404 for a missing file', async (url, status, body) => {
    await h.send('page routes (examples)', { method: 'GET', url }, {
      status,
      check: (res) => {
        expect(res.body).not.toContain(SECRET);
        if (body !== undefined) expect(res.body).toBe(body);
      },
    });
  });

  it.each(['/api/..%2f..%2fsecret.txt', '/api/assets/..%2f..%2f..%2fsecret.txt/thumbnail.jpg/x', '/api/%2e%2e%2fx', '/api/..%5c..%5csecret.txt'])(
    'answers GET %s under /api with a JSON 404, never the page',
    async (url) => {
      await h.send('page routes (api)', { method: 'GET', url }, { status: 404 });
    },
  );
});
