// How often asset queries poll, as a function of what they hold (SPEC §5): fast while something moves, slow when
// nothing does. Hidden tabs are handled by TanStack Query itself (refetchIntervalInBackground: false).
import type { QueryState } from '@tanstack/react-query';
import type { Asset } from '../../../../contract/asset';
import type { AssetList } from '../../../../contract/api';

export const FAST_POLL_MS = 1000;
export const SLOW_POLL_MS = 30_000;
/** While the server is unreachable: often enough to notice it is back, rare enough not to hammer it. */
export const RETRY_POLL_MS = 3000;

/** Something on screen will change by itself soon: a step is running or a countdown is about to start one. */
export function isMoving(asset: Asset): boolean {
  return asset.status.phase === 'processing' || (asset.status.phase === 'completed' && asset.next_step_at !== null);
}

/** Per page, whether it moves: pages are never changed in place, and a long list asks on every render of its poll. */
const pageMoves = new WeakMap<AssetList, boolean>();

export function listIsMoving(pages: readonly AssetList[]): boolean {
  return pages.some((page) => {
    let moves = pageMoves.get(page);
    if (moves === undefined) {
      // counts cover assets outside the current filter too; one of them finishing changes the tab counts on screen.
      moves = page.counts.processing > 0 || page.items.some(isMoving);
      pageMoves.set(page, moves);
    }
    return moves;
  });
}

export function pollInterval<T>(query: { state: QueryState<T, Error> }, moving: (data: T) => boolean): number {
  const { data, status } = query.state;
  if (status === 'error') return RETRY_POLL_MS;
  if (data === undefined) return SLOW_POLL_MS;
  return moving(data) ? FAST_POLL_MS : SLOW_POLL_MS;
}
