// Which rows of the virtualized feed are in the DOM. They follow the rows in view through transitions, and in two
// steps: the rows in view first, the overscan rows around them a frame later. react-virtual on its own renders a
// scroll's new rows with flushSync inside the scroll event, so a flick of two screens made some twenty cards, laid
// them out and painted them in one task, well over 100 ms on a busy machine. In a transition React makes the cards
// in slices it can pause between, and the second step halves what one frame has to lay out and paint. Until new
// rows are ready the rows already in the DOM stay where they are, and any other render of the feed meanwhile (a
// page loading, a poll) keeps the rows it has rather than making the new ones at once.
import { startTransition, useCallback, useEffect, useRef, useState } from 'react';

/** The rows in view, without overscan: the virtualizer's `range`. */
export interface RowSpan {
  startIndex: number;
  endIndex: number;
}

export interface RenderedRows {
  /** Row indices, ascending. */
  rows: readonly number[];
  /** The overscan rows are in too. */
  complete: boolean;
}

/**
 * The rows to render for `span` of a list of `count` rows: those rendered `before` that are still within `overscan`
 * rows of the view, plus every row in view, plus (`withOverscan`) every row within `overscan` of it.
 */
export function nextRows(before: RenderedRows | null, span: RowSpan, count: number, overscan: number, withOverscan: boolean): RenderedRows {
  const lo = Math.max(0, span.startIndex - overscan);
  const hi = Math.min(count - 1, span.endIndex + overscan);
  const rows = new Set<number>();
  for (const r of before?.rows ?? []) if (r >= lo && r <= hi) rows.add(r);
  const from = withOverscan ? lo : Math.max(0, span.startIndex);
  const to = withOverscan ? hi : Math.min(count - 1, span.endIndex);
  for (let r = from; r <= to; r++) rows.add(r);
  const sorted = [...rows].sort((a, b) => a - b);
  const complete = sorted.length === Math.max(0, hi - lo + 1);
  if (before && before.complete === complete && before.rows.length === sorted.length && before.rows.every((r, i) => r === sorted[i])) return before;
  return { rows: sorted, complete };
}

/**
 * `rows`: the rows to render, null until the first `follow`. `follow(span, count)`: the rows in view now (call it
 * whenever they may have changed; it does nothing when they have not).
 */
export function useRenderedRows(overscan: number): { rows: readonly number[] | null; follow: (span: RowSpan | null, count: number) => void } {
  const [rendered, setRendered] = useState<RenderedRows | null>(null);
  const latest = useRef<{ span: RowSpan; count: number } | null>(null);

  const follow = useCallback(
    (span: RowSpan | null, count: number) => {
      if (!span) return;
      const was = latest.current;
      if (was && was.count === count && was.span.startIndex === span.startIndex && was.span.endIndex === span.endIndex) return;
      latest.current = { span: { startIndex: span.startIndex, endIndex: span.endIndex }, count };
      // The very first rows come with their overscan: nothing is on screen yet to keep.
      startTransition(() => setRendered((before) => nextRows(before, span, count, overscan, before === null)));
    },
    [overscan],
  );

  // Rows in view but not yet their overscan: add it once the frame showing them is done.
  useEffect(() => {
    if (!rendered || rendered.complete) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const frame = requestAnimationFrame(() => {
      timer = setTimeout(() => {
        const now = latest.current;
        if (now) startTransition(() => setRendered((before) => nextRows(before, now.span, now.count, overscan, true)));
      }, 0);
    });
    return () => {
      cancelAnimationFrame(frame);
      clearTimeout(timer);
    };
  }, [rendered, overscan]);

  return { rows: rendered?.rows ?? null, follow };
}
