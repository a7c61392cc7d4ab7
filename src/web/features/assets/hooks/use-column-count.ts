// How many cards a row of the grid holds, following the same breakpoints as the grid's Tailwind classes
// (1 on phones, 2 from sm, 3 from lg, 4 from xl), so the virtualizer's rows match what CSS lays out.
import { useSyncExternalStore } from 'react';

const QUERIES = ['(min-width: 80rem)', '(min-width: 64rem)', '(min-width: 40rem)'] as const;
const COLUMNS = [4, 3, 2] as const;

let made: { by: typeof window.matchMedia; lists: MediaQueryList[] } | null = null;
/** Made once: React reads the column count on every render of the feed, and matchMedia makes new lists each call. */
function mediaLists(): MediaQueryList[] | null {
  if (typeof window === 'undefined' || typeof window.matchMedia !== 'function') return null;
  if (made?.by !== window.matchMedia) made = { by: window.matchMedia, lists: QUERIES.map((q) => window.matchMedia(q)) };
  return made.lists;
}

function columns(): number {
  const i = mediaLists()?.findIndex((l) => l.matches) ?? -1;
  return i === -1 ? 1 : COLUMNS[i] ?? 1;
}

function subscribe(onChange: () => void): () => void {
  const lists = mediaLists();
  if (!lists) return () => undefined;
  lists.forEach((l) => l.addEventListener('change', onChange));
  return () => lists.forEach((l) => l.removeEventListener('change', onChange));
}

export function useColumnCount(): number {
  return useSyncExternalStore(subscribe, columns, () => 1);
}
