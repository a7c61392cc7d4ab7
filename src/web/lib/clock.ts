// The one clock that every countdown and relative time reads: a single timer for the whole page, running only
// while something shows a time, instead of one timer per card. It ticks four times a second so a countdown's
// number changes within a quarter second of the real moment, whatever the deadline's phase within a second.
import { useSyncExternalStore } from 'react';
import { serverNow } from './server-time';

const TICK_MS = 250;
const FRESH_MS = 20;
const listeners = new Set<() => void>();
let now = serverNow();
let timer: ReturnType<typeof setInterval> | undefined;

function tick(): void {
  now = serverNow();
  listeners.forEach((listener) => listener());
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  if (timer === undefined) timer = setInterval(tick, TICK_MS);
  // A newcomer must not show a time up to a tick old (a fresh countdown would read one second too many);
  // React re-reads the snapshot right after subscribing, and the others catch up with it.
  // A whole list mounting at once refreshes it only once.
  if (serverNow() - now >= FRESH_MS) tick();
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0 && timer !== undefined) {
      clearInterval(timer);
      timer = undefined;
    }
  };
}

/**
 * What a component shows of the server-corrected time (epoch ms), `show(now)`, updated every quarter second for
 * everything on screen at the same moment. The component re-renders only when what it shows changes ("5 min ago"
 * does once a minute): a tick then costs next to nothing, and a list rendering new cards in a transition is not
 * forced to start again synchronously because the time moved while it rendered.
 */
export function useClock<T extends string | number | boolean>(show: (now: number) => T): T {
  const snapshot = () => show(now);
  return useSyncExternalStore(subscribe, snapshot, snapshot);
}
