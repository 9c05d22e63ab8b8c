// The window of a list whose rows all have one height: which rows are in view, worked out from
// the scroll position and the viewport's height alone, so it costs the same at 100 rows as at
// 1,000,000. @tanstack/react-virtual, used before, is built for rows of any height: it keeps a
// measurement object for every row (rebuilt when the count changes) and re-renders on every
// scroll event. Here React re-renders only when the window moves by a whole row, which makes
// a long scroll smoother (docs/benchmarks.md).
import { useCallback, useLayoutEffect, useRef, useState, type RefObject } from "react";

export type RowSlot = { index: number; start: number };

/** First and last row index to render (`last < first`: none). */
export function rowWindow(count: number, rowHeight: number, overscan: number, scrollTop: number, viewport: number) {
  if (count <= 0) return { first: 0, last: -1 };
  const top = Math.max(0, scrollTop);
  const first = Math.min(count - 1, Math.max(0, Math.floor(top / rowHeight) - overscan));
  const last = Math.min(count - 1, Math.ceil((top + viewport) / rowHeight) - 1 + overscan);
  return { first, last: Math.max(first, last) };
}

type Options = {
  count: number;
  rowHeight: number;
  overscan: number;
  scrollRef: RefObject<HTMLElement | null>;
  /** Scroll position to restore once there are rows to scroll. */
  initialOffset: number;
  /** Viewport height to assume while the element reports none (not laid out, or jsdom). */
  fallbackHeight: number;
};

export function useRowWindow({ count, rowHeight, overscan, scrollRef, initialOffset, fallbackHeight }: Options) {
  // The first row the viewport touches, not the pixel offset: scrolling within a row changes
  // nothing to render, so it sets no state.
  const [view, setView] = useState(() => ({ row: Math.floor(initialOffset / rowHeight), height: fallbackHeight }));
  const read = useCallback(() => {
    const el = scrollRef.current;
    if (!el) return;
    const row = Math.floor(el.scrollTop / rowHeight);
    const height = el.clientHeight || fallbackHeight;
    setView((v) => (v.row === row && v.height === height ? v : { row, height }));
  }, [scrollRef, rowHeight, fallbackHeight]);

  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (!el) return;
    el.addEventListener("scroll", read, { passive: true });
    const resize = typeof ResizeObserver === "undefined" ? null : new ResizeObserver(read);
    resize?.observe(el);
    read();
    return () => {
      el.removeEventListener("scroll", read);
      resize?.disconnect();
    };
  }, [scrollRef, read]);

  // The saved position can be applied only once the body is tall enough to scroll that far.
  const restored = useRef(initialOffset <= 0);
  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (restored.current || !el || count <= 0) return;
    restored.current = true;
    el.scrollTop = initialOffset;
    read();
  }, [count, initialOffset, scrollRef, read]);

  // One row more than the viewport: the real offset may be up to a row below `view.row`'s top.
  const { first, last } = rowWindow(count, rowHeight, overscan, view.row * rowHeight, view.height + rowHeight);
  const slots: RowSlot[] = [];
  for (let i = first; i <= last; i++) slots.push({ index: i, start: i * rowHeight });

  const scrollToOffset = useCallback(
    (offset: number) => {
      const el = scrollRef.current;
      if (!el) return;
      el.scrollTop = offset;
      read();
    },
    [scrollRef, read],
  );
  /** Scrolls the least that brings row `index` fully into view. */
  const scrollToIndex = useCallback(
    (index: number) => {
      const el = scrollRef.current;
      if (!el) return;
      const start = index * rowHeight;
      const height = el.clientHeight || fallbackHeight;
      if (start < el.scrollTop) el.scrollTop = start;
      else if (start + rowHeight > el.scrollTop + height) el.scrollTop = start + rowHeight - height;
      read();
    },
    [scrollRef, rowHeight, fallbackHeight, read],
  );

  return { slots, first, last, totalSize: count * rowHeight, scrollToOffset, scrollToIndex };
}
