// The one clock that every countdown and relative time reads: a single timer for the whole page, running only
// while something shows a time, instead of one timer per card.
import { useSyncExternalStore } from 'react';
import { serverNow } from './server-time';

const TICK_MS = 1000;
const listeners = new Set<() => void>();
let now = serverNow();
let timer: ReturnType<typeof setInterval> | undefined;

function tick(): void {
  now = serverNow();
  listeners.forEach((listener) => listener());
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  if (timer === undefined) {
    // The snapshot may be stale after a pause with no subscribers; React re-reads it right after subscribing.
    now = serverNow();
    timer = setInterval(tick, TICK_MS);
  }
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0 && timer !== undefined) {
      clearInterval(timer);
      timer = undefined;
    }
  };
}

const getSnapshot = () => now;

/** Server-corrected epoch ms, updated once a second for everything on screen at the same moment. */
export function useServerNow(): number {
  return useSyncExternalStore(subscribe, getSnapshot, getSnapshot);
}
