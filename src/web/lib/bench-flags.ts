// Switches read from the page's address, used only by the page benchmark (tests/bench/page-bench.ts) to measure
// the page against its own baselines: ?virtualize=0 renders every loaded card, ?memo=0 re-renders every card on
// each change, ?bench=1 exposes render counts as window.__afRenderCount. Without them the page is as shipped.
import { startCountingRenders } from './render-probe';

const search = typeof window === 'undefined' ? new URLSearchParams() : new URLSearchParams(window.location.search);

export const benchFlags = {
  virtualize: search.get('virtualize') !== '0',
  memoCards: search.get('memo') !== '0',
} as const;

/** Called once at boot. */
export function exposeBenchProbes(): void {
  if (search.get('bench') === '1') Object.assign(window, { __afRenderCount: startCountingRenders() });
}
