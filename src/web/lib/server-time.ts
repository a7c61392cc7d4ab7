// The server's clock as this page estimates it. Countdown deadlines are server epoch ms, so they must be compared
// with server time rather than with a local clock that may be minutes off.
let offsetMs = 0;

/** Takes one sample from an API response's `x-server-time` header; the midpoint of the round trip is the best guess of when it was stamped. */
export function recordServerTime(header: string | null, sentAt: number, receivedAt: number): void {
  if (header === null) return;
  const serverMs = Number(header);
  if (!Number.isFinite(serverMs) || serverMs <= 0) return;
  offsetMs = serverMs - (sentAt + receivedAt) / 2;
}

export function serverNow(): number {
  return Date.now() + offsetMs;
}

/** Forgets the estimate; tests start each case from a clock that agrees with the server. */
export function resetServerTime(): void {
  offsetMs = 0;
}
