// A countdown that cannot start its step because the database is full or busy keeps its deadline and fires once
// it can; one that can never start is handed to onError to clear; neither spins.
import { createCountdownScheduler } from '../../../src/server/pipeline/countdown-scheduler';
import { sqliteError } from './fault-kit';

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

/** A scheduler over one asset whose deadline is `at`; `start` decides what starting its step does. */
function schedulerFor(at: number, start: () => void) {
  let deadline: number | null = at;
  const errors: [string, string | null][] = [];
  const starts: number[] = [];
  const scheduler = createCountdownScheduler({
    now: () => Date.now(),
    nextDeadline: () => deadline,
    dueIds: (now) => (deadline !== null && deadline <= now ? ['a1'] : []),
    startDue() {
      starts.push(Date.now());
      start();
      deadline = null;
    },
    onError(err, id) {
      errors.push([(err as Error).message, id]);
      if (id !== null) deadline = null; // what the service does: clear a countdown that cannot fire
    },
  });
  return { scheduler, errors, starts, deadline: () => deadline };
}

describe('the countdown scheduler', () => {
  it('keeps a deadline the database could not act on and starts the step once it can', async () => {
    let full = true;
    const s = schedulerFor(1_000_500, () => {
      if (full) throw sqliteError('SQLITE_FULL');
    });
    s.scheduler.reschedule();
    await vi.advanceTimersByTimeAsync(500);
    expect(s.starts).toHaveLength(1);
    expect(s.errors).toEqual([['database or disk is full', null]]);
    expect(s.deadline()).toBe(1_000_500);

    // No tight loop while the disk stays full: one attempt a second.
    await vi.advanceTimersByTimeAsync(2_050);
    expect(s.starts).toHaveLength(3);
    full = false;
    await vi.advanceTimersByTimeAsync(1_000);
    expect(s.starts).toHaveLength(4);
    expect(s.deadline()).toBeNull();
    s.scheduler.close();
  });

  it('hands a countdown that can never start (a bug, not the disk) to onError with its id, once', async () => {
    const s = schedulerFor(1_000_100, () => {
      throw new Error('The asset is not Approved.');
    });
    s.scheduler.reschedule();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(s.starts).toHaveLength(1);
    expect(s.errors).toEqual([['The asset is not Approved.', 'a1']]);
  });

  it('a deadline that stays due after a failure (onError could not clear it) is retried a second later, not at once', async () => {
    let attempts = 0;
    const stubborn = createCountdownScheduler({
      now: () => Date.now(),
      nextDeadline: () => 1_000_000,
      dueIds: () => ['a1'],
      startDue: () => {
        attempts++;
        throw new Error('stuck');
      },
      onError: () => undefined,
    });
    stubborn.reschedule();
    await vi.advanceTimersByTimeAsync(3_500);
    expect(attempts).toBe(4); // at 0, 1, 2 and 3 s
    stubborn.close();
  });
});
