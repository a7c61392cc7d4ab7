// Slows down password guessing: after `maxFailures` failed sign-ins for one account from one address within
// `windowMs`, that pair must wait. Keyed by address *and* account, so an attacker elsewhere cannot lock a
// person out; the per-address cap on all attempts (in routes/auth.ts) stops spraying many accounts.
export interface LoginLimiter {
  /** Milliseconds to wait before this pair may try again; 0 when it may try now. */
  retryAfter(key: string): number;
  fail(key: string): void;
  succeed(key: string): void;
}

export function createLoginLimiter(o: { maxFailures: number; windowMs: number; now?: () => number }): LoginLimiter {
  const now = o.now ?? Date.now;
  const failures = new Map<string, number[]>();
  const recent = (key: string) => {
    const t = now();
    const list = (failures.get(key) ?? []).filter((at) => t - at < o.windowMs);
    if (list.length === 0) failures.delete(key);
    else failures.set(key, list);
    return list;
  };
  // Bound the memory an attacker can make us use: forget the oldest pairs beyond this many.
  const MAX_KEYS = 10_000;

  return {
    retryAfter(key) {
      const list = recent(key);
      if (list.length < o.maxFailures) return 0;
      return Math.max(1, (list[list.length - o.maxFailures] as number) + o.windowMs - now());
    },
    fail(key) {
      const list = recent(key);
      list.push(now());
      failures.delete(key);
      failures.set(key, list.slice(-o.maxFailures));
      if (failures.size > MAX_KEYS) failures.delete(failures.keys().next().value as string);
    },
    succeed(key) {
      failures.delete(key);
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
