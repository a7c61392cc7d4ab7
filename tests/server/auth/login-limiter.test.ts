// The limiter behind every password check: free tries, then a wait that doubles up to 15 minutes; a waiting pair is
// never forgotten to make room for others, and memory stays bounded when every pair waits.
import { createLoginLimiter, MAX_KEYS, MAX_KEYS_PER_ADDRESS } from '../../../src/server/auth/login-limiter';

let clock = 0;
const limiter = () =>
  createLoginLimiter({ freeFailures: 5, firstWaitMs: 1000, maxWaitMs: 15 * 60_000, forgetAfterMs: 15 * 60_000, now: () => clock });

beforeEach(() => {
  clock = 1_000_000;
});

/** One failed attempt, after waiting whatever the limiter asked for; the wait it asks for next. */
function failAfterWaiting(l: ReturnType<typeof limiter>, key: string): number {
  clock += l.retryAfter(key);
  expect(l.retryAfter(key)).toBe(0);
  l.fail(key);
  return l.retryAfter(key);
}

describe('the login limiter', () => {
  it('gives 5 free tries, then waits 1 s, 2 s, 4 s… doubling up to 15 minutes', () => {
    const l = limiter();
    const waits = Array.from({ length: 18 }, () => failAfterWaiting(l, 'a'));
    expect(waits).toEqual([
      0, 0, 0, 0, 1000, 2000, 4000, 8000, 16_000, 32_000, 64_000, 128_000, 256_000, 512_000, 900_000, 900_000, 900_000, 900_000,
    ]);
  });

  it('forgets a pair’s failures 15 minutes after its last wait ended, not before; a success forgets at once', () => {
    const l = limiter();
    for (let i = 0; i < 7; i++) failAfterWaiting(l, 'a'); // waits 4 s now
    clock += 4000 + 15 * 60_000 - 1;
    l.fail('a');
    expect(l.retryAfter('a')).toBe(8000); // still counted: the 8th failure
    clock += 8000 + 15 * 60_000;
    l.fail('a');
    expect(l.retryAfter('a')).toBe(0); // forgotten: a first failure again

    for (let i = 0; i < 6; i++) failAfterWaiting(l, 'b');
    l.succeed('b');
    expect(l.retryAfter('b')).toBe(0);
  });

  it('never forgets a waiting pair to make room, however many other pairs fail', () => {
    const l = limiter();
    for (let i = 0; i < 9; i++) failAfterWaiting(l, 'victim'); // must wait 16 s
    for (let i = 0; i < MAX_KEYS + 50; i++) {
      const key = `other-${i}`;
      expect(l.retryAfter(key)).toBe(0);
      l.fail(key);
    }
    expect(l.retryAfter('victim')).toBe(16_000);
  });

  it('refuses a new pair while every tracked pair waits, until the first wait ends', () => {
    const l = limiter();
    for (let i = 0; i < MAX_KEYS; i++) for (let n = 0; n < 5; n++) l.fail(`k${i}`); // each waits 1 s from now
    expect(l.retryAfter('newcomer')).toBe(1000);
    l.fail('newcomer'); // not tracked: the table is full
    clock += 1000;
    expect(l.retryAfter('newcomer')).toBe(0); // a pair's wait ended: it gives up its place
    l.fail('newcomer');
    expect(l.retryAfter('k0')).toBe(0);
  });

  it('holds one address to its share of the table: its new pairs wait, other addresses are not held back', () => {
    const l = limiter();
    const pair = (address: string, i: number) => `${address}\u0000user${i}@studio.example`;
    for (let i = 0; i < MAX_KEYS_PER_ADDRESS; i++) for (let n = 0; n < 5; n++) l.fail(pair('198.51.100.7', i)); // each waits 1 s
    expect(l.retryAfter(pair('198.51.100.7', 9999))).toBe(1000);
    l.fail(pair('198.51.100.7', 9999)); // refused above, so not tracked
    expect(l.retryAfter(pair('203.0.113.5', 0))).toBe(0);
    // Once a wait of its own has ended, the address gets a place back from its own idle pairs.
    clock += 1000;
    expect(l.retryAfter(pair('198.51.100.7', 9999))).toBe(0);
    l.fail(pair('198.51.100.7', 9999));
    expect(l.retryAfter(pair('198.51.100.7', 9999))).toBe(0); // a first, free failure
  });
});
