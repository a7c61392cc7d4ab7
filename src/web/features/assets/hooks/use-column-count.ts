// How many cards a row of the grid holds, following the same breakpoints as the grid's Tailwind classes
// (1 on phones, 2 from sm, 3 from lg, 4 from xl), so the virtualizer's rows match what CSS lays out.
import { useSyncExternalStore } from 'react';

const QUERIES = ['(min-width: 80rem)', '(min-width: 64rem)', '(min-width: 40rem)'] as const;
const COLUMNS = [4, 3, 2] as const;

function columns(): number {
  if (typeof window === 'undefined' || typeof window.matchMedia !== 'function') return 1;
  const i = QUERIES.findIndex((q) => window.matchMedia(q).matches);
  return i === -1 ? 1 : COLUMNS[i] ?? 1;
}

function subscribe(onChange: () => void): () => void {
  if (typeof window === 'undefined' || typeof window.matchMedia !== 'function') return () => undefined;
  const lists = QUERIES.map((q) => window.matchMedia(q));
  lists.forEach((l) => l.addEventListener('change', onChange));
  return () => lists.forEach((l) => l.removeEventListener('change', onChange));
}

export function useColumnCount(): number {
  return useSyncExternalStore(subscribe, columns, () => 1);
}
