// Slows down password guessing with a wait that doubles: a pair of address and account gets `freeFailures` wrong
// passwords without waiting, then waits `firstWaitMs` after the next, twice that after the one after, and so on up
// to `maxWaitMs`. Keyed by address *and* account, so an attacker elsewhere cannot lock a person out; the
// per-address cap on all attempts (in routes/auth.ts) stops spraying many accounts, and an address may have at
// most MAX_KEYS_PER_ADDRESS pairs tracked.
//
// Memory is bounded: at most MAX_KEYS pairs are tracked. A pair that must wait is never forgotten before its wait
// ends, or forgetting would hand it fresh tries. Room for a new pair comes from a pair whose failures have expired,
// else from the pair that failed longest ago and is not waiting. When every tracked pair is waiting, a new pair is
// refused (429 until the first wait ends) rather than let guess untracked: an attacker who locks MAX_KEYS pairs at
// once can delay other people's sign-in, but cannot get a guess that is not counted.
export interface LoginLimiter {
  /**
   * Milliseconds to wait before this pair may try again; 0 when it may try now. Called just before `fail`, it also
   * makes room to track the pair.
   */
  retryAfter(key: string): number;
  fail(key: string): void;
  succeed(key: string): void;
}

export interface LimiterOptions {
  /** Wrong passwords a pair may send before any wait. */
  freeFailures: number;
  /** The wait after the first failure beyond the free ones; each further failure doubles it. */
  firstWaitMs: number;
  maxWaitMs: number;
  /** A pair's failures are forgotten this long after its last wait ended (or its last free failure). */
  forgetAfterMs: number;
  now?: () => number;
}

/** Pairs tracked at most: about 100 bytes each. */
export const MAX_KEYS = 10_000;
/**
 * Pairs one address (the part of a key before its NUL) may have tracked: a network guessing at many accounts fills
 * its own share, not the whole table, so it cannot make everyone's new pairs wait. Same rules inside the share.
 */
export const MAX_KEYS_PER_ADDRESS = 100;

interface Entry {
  failures: number;
  /** When the wait after the last failure ends (the failure's own time while failures are free). */
  until: number;
}

/** The wait after the `failures`-th failure. */
export function waitAfter(failures: number, o: Pick<LimiterOptions, 'freeFailures' | 'firstWaitMs' | 'maxWaitMs'>): number {
  if (failures < o.freeFailures) return 0;
  return Math.min(o.maxWaitMs, o.firstWaitMs * 2 ** Math.min(failures - o.freeFailures, 40));
}

export function createLoginLimiter(o: LimiterOptions): LoginLimiter {
  const now = o.now ?? Date.now;
  // In order of last failure, oldest first (a failure moves its pair to the end).
  const entries = new Map<string, Entry>();
  /** Pairs tracked per address. */
  const perAddress = new Map<string, number>();
  const addressOf = (key: string) => key.slice(0, Math.max(0, key.indexOf('\u0000')));

  function track(key: string, e: Entry): void {
    if (!entries.has(key)) {
      const a = addressOf(key);
      perAddress.set(a, (perAddress.get(a) ?? 0) + 1);
    }
    entries.delete(key);
    entries.set(key, e);
  }

  function untrack(key: string): boolean {
    if (!entries.delete(key)) return false;
    const a = addressOf(key);
    const left = (perAddress.get(a) ?? 1) - 1;
    if (left > 0) perAddress.set(a, left);
    else perAddress.delete(a);
    return true;
  }

  /** Frees a place in this address's share (an expired or idle pair of its own), or says when one frees up. */
  function makeRoomFor(address: string, t: number): number {
    if ((perAddress.get(address) ?? 0) < MAX_KEYS_PER_ADDRESS || address === '') return 0;
    let firstEnd = Infinity;
    for (const [key, e] of entries) {
      if (addressOf(key) !== address) continue;
      if (expired(e, t) || e.until <= t) {
        untrack(key);
        return 0;
      }
      firstEnd = Math.min(firstEnd, e.until);
    }
    return firstEnd - t;
  }
  /** While every tracked pair waits: when the first wait ends. Saves a scan per refused new pair. */
  let fullUntil = 0;

  const expired = (e: Entry, t: number) => t >= e.until + o.forgetAfterMs;

  /** Frees one place, or says when one frees up. */
  function makeRoom(t: number): number {
    if (t < fullUntil) return fullUntil - t;
    let idle: string | undefined;
    let firstEnd = Infinity;
    for (const [key, e] of entries) {
      if (expired(e, t)) {
        untrack(key);
        return 0;
      }
      if (e.until <= t) idle ??= key;
      else firstEnd = Math.min(firstEnd, e.until);
    }
    if (idle !== undefined) {
      untrack(idle);
      return 0;
    }
    fullUntil = firstEnd;
    return firstEnd - t;
  }

  return {
    retryAfter(key) {
      const t = now();
      const e = entries.get(key);
      if (e && expired(e, t)) {
        untrack(key);
        fullUntil = 0;
      } else if (e) return Math.max(0, e.until - t);
      const share = makeRoomFor(addressOf(key), t);
      if (share > 0) return share;
      return entries.size < MAX_KEYS ? 0 : makeRoom(t);
    },
    fail(key) {
      const t = now();
      const e = entries.get(key);
      const failures = e && !expired(e, t) ? e.failures + 1 : 1;
      if (!e) {
        // Not tracked when its address's share or the whole table is full of waiting pairs: retryAfter refused it.
        if (makeRoomFor(addressOf(key), t) > 0) return;
        if (entries.size >= MAX_KEYS && makeRoom(t) > 0) return;
      }
      track(key, { failures, until: t + waitAfter(failures, o) });
    },
    succeed(key) {
      if (untrack(key)) fullUntil = 0;
    },
  };
}

/**
 * The part of a client address that identifies one network: IPv4 as is, IPv6 by its /64 prefix, since one
 * household or server is given a whole /64 and could otherwise rotate through it to escape the limit.
 */
export function addressKey(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped?.[1]) return mapped[1];
  if (!ip.includes(':')) return ip;
  const [head = '', tail = ''] = ip.toLowerCase().split('%')[0]?.split('::') ?? [];
  const left = head ? head.split(':') : [];
  const right = ip.includes('::') && tail ? tail.split(':') : [];
  const groups = ip.includes('::') ? [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right] : left;
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}
