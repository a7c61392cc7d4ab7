// Starts the next step when an approved asset's countdown runs out, whether or not a browser is open.
// One timer, armed for the earliest deadline in the database; re-armed whenever a deadline changes.
import { systemFault } from '../errors';

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
  /**
   * `assetId` is null when the failure was not about one asset, or was the disk's or database's (full, read-only,
   * busy): that deadline is kept and tried again shortly. Otherwise the countdown cannot fire and should be cleared.
   */
  onError(err: unknown, assetId: string | null): void;
}

// setTimeout cannot wait longer than ~24.8 days; a far deadline is simply re-checked.
const MAX_WAIT_MS = 60 * 60 * 1000;
const RETRY_MS = 1000;

export function createCountdownScheduler(o: CountdownSchedulerOptions): CountdownScheduler {
  let timer: NodeJS.Timeout | null = null;
  let closed = false;

  function fire(): void {
    timer = null;
    let failed = false;
    try {
      for (const id of o.dueIds(o.now())) {
        try {
          o.startDue(id);
        } catch (err) {
          failed = true;
          // A full or read-only disk passes; the countdown must still fire when it does, so keep its deadline.
          o.onError(err, systemFault(err) ? null : id);
        }
      }
    } catch (err) {
      // The database was busy or unwritable: try again shortly rather than crash from a timer.
      failed = true;
      o.onError(err, null);
    }
    // After a failure a deadline may still be due: never re-arm at 0 ms, which would spin.
    reschedule(failed ? RETRY_MS : 0);
  }

  function reschedule(minWait = 0): void {
    if (closed) return;
    if (timer) clearTimeout(timer);
    timer = null;
    let at: number | null;
    try {
      at = o.nextDeadline();
    } catch (err) {
      o.onError(err, null);
      at = o.now() + RETRY_MS;
    }
    if (at === null) return;
    const wait = Math.min(MAX_WAIT_MS, Math.max(minWait, at - o.now()));
    timer = setTimeout(fire, wait);
    // The server's lifetime is decided by its HTTP listener, not by a pending countdown.
    timer.unref();
  }

  return {
    reschedule: () => reschedule(),
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}
