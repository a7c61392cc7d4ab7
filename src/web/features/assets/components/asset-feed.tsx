// The cards of the list as a feed (WAI-ARIA feed pattern: one article per asset, aria-posinset/aria-setsize,
// Page Down / Page Up between articles), virtualized by rows of as many cards as the layout has columns: only the
// rows near the viewport are in the DOM, so 10,000 loaded assets keep a few dozen cards on the page. The row
// holding the focused card stays rendered, with its neighbours, so scrolling or Tab never loses the focus.
import { defaultRangeExtractor, useWindowVirtualizer, type Range } from '@tanstack/react-virtual';
import { memo, useCallback, useEffect, useLayoutEffect, useRef, useState, type FocusEvent, type KeyboardEvent, type RefObject } from 'react';
import type { Asset } from '../../../../contract/asset';
import { benchFlags } from '../../../lib/bench-flags';
import { useColumnCount } from '../hooks/use-column-count';
import { useRenderedRows } from '../hooks/use-rendered-rows';
import { AssetCard, AssetCardContent } from './asset-card';

/** The grid's look at every width: one compact row per card on phones, tiles from the small breakpoint up. */
export const GRID = 'grid grid-cols-1 gap-4 sm:grid-cols-2 lg:grid-cols-3 xl:grid-cols-4';
const ROW_GAP_PX = 16;
/** Rows rendered beyond the viewport on each side: enough that Tab always finds the next card in the DOM. */
const OVERSCAN_ROWS = 2;

const Card = benchFlags.memoCards ? AssetCard : AssetCardContent;
/**
 * Frames Page Down waits for the article it scrolled to (rows render in a transition: hooks/use-rendered-rows.ts):
 * about two seconds, far more than a busy machine takes to render a row.
 */
const FOCUS_WAIT_FRAMES = 120;

export interface AssetFeedProps {
  assets: readonly Asset[];
  /** The list's full length, or -1 when unknown. */
  setSize: number;
  /** Articles are being added or replaced (aria-busy, as the feed pattern asks). */
  busy: boolean;
  /** The cards shown are a previous query's, kept while the new one loads: shown dimmed. Loading more is not. */
  stale: boolean;
  /** Called with the first and last index of the cards in the viewport (not counting overscan). */
  onVisibleRange: (first: number, last: number) => void;
}

export function AssetFeed(props: AssetFeedProps) {
  return benchFlags.virtualize ? <VirtualFeed {...props} /> : <PlainFeed {...props} />;
}

/** Moves the focus to the article `delta` places away, as the feed pattern's Page Down / Page Up do. */
function moveBetweenArticles(event: KeyboardEvent<HTMLElement>, scrollToCard: (index: number) => void): void {
  if (event.key !== 'PageDown' && event.key !== 'PageUp') return;
  const article = (event.target as HTMLElement).closest('article');
  const feed = event.currentTarget;
  if (!article || !feed.contains(article)) return;
  event.preventDefault();
  const target = Number(article.getAttribute('aria-posinset')) + (event.key === 'PageDown' ? 1 : -1);
  const find = () => feed.querySelector<HTMLElement>(`article[aria-posinset="${target}"]`);
  const next = find();
  if (next) {
    next.focus();
    return;
  }
  if (target < 1) return;
  scrollToCard(target - 1);
  // The scroll renders the target's row in a transition: wait for it a few frames.
  let frames = 0;
  const focusOnceRendered = () => {
    const article = find();
    if (article) article.focus();
    else if (++frames < FOCUS_WAIT_FRAMES) requestAnimationFrame(focusOnceRendered);
  };
  requestAnimationFrame(focusOnceRendered);
}

/** Every loaded card in one grid: the page before virtualization, kept for the benchmark's baseline (?virtualize=0). */
function PlainFeed({ assets, setSize, busy, stale }: AssetFeedProps) {
  return (
    <div role="feed" aria-label="Assets" aria-busy={busy} className={`${GRID} ${stale ? 'opacity-60' : ''}`} onKeyDown={(e) => moveBetweenArticles(e, () => undefined)}>
      {assets.map((asset, i) => (
        <Card key={asset.id} asset={asset} posInSet={i + 1} setSize={setSize} />
      ))}
    </div>
  );
}

/** The element's top in document coordinates, kept current as the page above it changes height. */
function useDocumentTop(ref: RefObject<HTMLElement | null>): number {
  const [top, setTop] = useState(0);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const measure = () => setTop(Math.round(el.getBoundingClientRect().top + window.scrollY));
    measure();
    window.addEventListener('resize', measure);
    const observer = typeof ResizeObserver === 'undefined' ? null : new ResizeObserver(measure);
    observer?.observe(document.body);
    return () => {
      window.removeEventListener('resize', measure);
      observer?.disconnect();
    };
  }, [ref]);
  return top;
}

function VirtualFeed({ assets, setSize, busy, stale, onVisibleRange }: AssetFeedProps) {
  const columns = useColumnCount();
  const feedRef = useRef<HTMLDivElement>(null);
  const scrollMargin = useDocumentTop(feedRef);
  const rowCount = Math.ceil(assets.length / columns);

  // The card that has the focus (by asset id, since a card moves between rows when one is added above it).
  const [focusedId, setFocusedId] = useState<string | null>(null);
  const focusedIndex = focusedId === null ? -1 : assets.findIndex((a) => a.id === focusedId);
  const focusedRow = focusedIndex === -1 ? null : Math.floor(focusedIndex / columns);

  // Which rows are in the DOM: they follow the rows in view in transitions (see the hook for why).
  const { rows: renderedRows, follow } = useRenderedRows(OVERSCAN_ROWS);

  const rangeExtractor = useCallback(
    (range: Range) => {
      const rows = renderedRows ? renderedRows.filter((r) => r < range.count) : defaultRangeExtractor(range);
      if (focusedRow === null) return rows;
      const keep = new Set(rows);
      for (const r of [focusedRow - 1, focusedRow, focusedRow + 1]) if (r >= 0 && r < range.count) keep.add(r);
      return keep.size === rows.length ? rows : [...keep].sort((a, b) => a - b);
    },
    [focusedRow, renderedRows],
  );

  const virtualizer = useWindowVirtualizer({
    count: rowCount,
    // Tiles from the small breakpoint up, compact rows on phones; measured once rendered.
    estimateSize: () => (columns === 1 ? 132 : 330),
    gap: ROW_GAP_PX,
    overscan: OVERSCAN_ROWS,
    scrollMargin,
    rangeExtractor,
    onChange: (instance) => follow(instance.range, instance.options.count),
    // Nothing to render at once on a scroll: the rows follow in a transition.
    useFlushSync: false,
  });
  // A render can find the rows in view changed without a scroll (a page loaded at the end of the list).
  useEffect(() => follow(virtualizer.range, rowCount));

  // A different column count makes different rows: measure them again.
  useEffect(() => {
    virtualizer.measure();
  }, [columns, virtualizer]);

  const first = virtualizer.range?.startIndex ?? 0;
  const last = virtualizer.range?.endIndex ?? 0;
  useEffect(() => {
    if (assets.length === 0) return;
    onVisibleRange(first * columns, Math.min(assets.length, (last + 1) * columns) - 1);
  }, [first, last, columns, assets.length, onVisibleRange]);

  // A card re-created in another row (an asset was added above it) takes the focus back, without scrolling.
  useLayoutEffect(() => {
    const feed = feedRef.current;
    if (!feed || focusedId === null) return;
    const active = document.activeElement;
    if (active && active !== document.body) return;
    const article = [...feed.querySelectorAll<HTMLElement>('article[data-asset-id]')].find((a) => a.dataset.assetId === focusedId);
    article?.querySelector<HTMLElement>('a')?.focus({ preventScroll: true });
  });

  const onFocus = (event: FocusEvent<HTMLDivElement>) => {
    const id = (event.target as HTMLElement).closest<HTMLElement>('article[data-asset-id]')?.dataset.assetId;
    if (id) setFocusedId(id);
  };
  const onBlur = (event: FocusEvent<HTMLDivElement>) => {
    // relatedTarget is null when the window loses the focus or the element goes away: keep the row then.
    const to = event.relatedTarget;
    if (to instanceof Node && !event.currentTarget.contains(to)) setFocusedId(null);
  };

  const scrollToCard = (index: number) => virtualizer.scrollToIndex(Math.floor(index / columns), { align: 'auto' });

  return (
    <div
      ref={feedRef}
      role="feed"
      aria-label="Assets"
      aria-busy={busy}
      onFocus={onFocus}
      onBlur={onBlur}
      onKeyDown={(e) => moveBetweenArticles(e, scrollToCard)}
      className={`relative transition-opacity ${stale ? 'opacity-60' : ''}`}
      style={{ height: virtualizer.getTotalSize() }}
    >
      {virtualizer.getVirtualItems().map((row) => (
        <div
          key={row.key}
          data-index={row.index}
          ref={virtualizer.measureElement}
          className={`absolute top-0 left-0 w-full ${GRID}`}
          style={{ transform: `translateY(${row.start - scrollMargin}px)` }}
        >
          <Row assets={assets} start={row.index * columns} columns={columns} setSize={setSize} />
        </div>
      ))}
    </div>
  );
}

const Row = memo(function Row({ assets, start, columns, setSize }: { assets: readonly Asset[]; start: number; columns: number; setSize: number }) {
  return assets.slice(start, start + columns).map((asset, i) => <Card key={asset.id} asset={asset} posInSet={start + i + 1} setSize={setSize} />);
});
