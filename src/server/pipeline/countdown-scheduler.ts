// Starts the next step when an approved asset's countdown runs out, whether or not a browser is open.
// One timer, armed for the earliest deadline in the database; re-armed whenever a deadline changes.

export interface CountdownScheduler {
  /** Call after any change to a deadline. */
  reschedule(): void;
  close(): void;
}

export interface CountdownSchedulerOptions {
  nextDeadline(): number | null;
  dueIds(now: number): string[];
  startDue(assetId: string): void;
  now(): number;
  onError(err: unknown, assetId: string): void;
}

// setTimeout cannot wait longer than ~24.8 days; a far deadline is simply re-checked.
const MAX_WAIT_MS = 60 * 60 * 1000;

export function createCountdownScheduler(o: CountdownSchedulerOptions): CountdownScheduler {
  let timer: NodeJS.Timeout | null = null;
  let closed = false;

  function fire(): void {
    timer = null;
    const now = o.now();
    for (const id of o.dueIds(now)) {
      try {
        o.startDue(id);
      } catch (err) {
        o.onError(err, id);
      }
    }
    reschedule();
  }

  function reschedule(): void {
    if (closed) return;
    if (timer) clearTimeout(timer);
    timer = null;
    const at = o.nextDeadline();
    if (at === null) return;
    const wait = Math.min(MAX_WAIT_MS, Math.max(0, at - o.now()));
    timer = setTimeout(fire, wait);
    // The server's lifetime is decided by its HTTP listener, not by a pending countdown.
    timer.unref();
  }

  return {
    reschedule,
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}
