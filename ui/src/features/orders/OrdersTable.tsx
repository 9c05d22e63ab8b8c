// The virtualized orders table: the DOM holds only the rows in view (plus a little overscan) and
// the shell is asked only for the pages those rows fall in, so 1,000,000 orders scroll like 100.
// Rows are keyed by order id, and the table tells its parent when the operator holds it
// (pointer over it, focus in it, scrolled down), so new orders wait instead of moving rows.
import { flexRender, getCoreRowModel, useReactTable, type VisibilityState } from "@tanstack/react-table";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { navigate } from "../../app/router";
import type { OrderRow } from "../../ipc";
import { orderColumns, type ColumnMeta, type IndexedRow } from "./columns";
import type { OrderPages } from "./useOrderPages";
import { useRowWindow } from "./useRowWindow";

export const ROW_HEIGHT = 30;
const SELECT_WIDTH = "2.25rem";
/** WebKit and Chromium stop laying out past ~33.5 million px; stay under it. */
export const MAX_ROWS = Math.floor(33_000_000 / ROW_HEIGHT);

type Props = {
  pages: OrderPages;
  filterKey: string;
  columnVisibility: VisibilityState;
  onRange: (first: number, last: number) => void;
  /** Called with `true` while the operator looks at the rows, `false` when they let go. */
  onHeld?: (held: boolean) => void;
  /** Each change scrolls back to the top (the "show new orders" bar). */
  topSignal?: number;
  /** Order ids ticked in the checkbox column, and how a tick changes. */
  selected?: ReadonlySet<string>;
  onToggle?: (row: OrderRow, on: boolean) => void;
};

const SCROLL_KEY = "mizan.orders.scroll";

export function OrdersTable({ pages, filterKey, columnVisibility, onRange, onHeld, topSignal = 0, selected, onToggle }: Props) {
  const { t, i18n } = useTranslation();
  const scrollRef = useRef<HTMLDivElement>(null);
  const count = Math.min(pages.total ?? 0, MAX_ROWS);
  const saved = readScroll(filterKey);
  const { slots: items, first, last, totalSize, scrollToOffset, scrollToIndex } = useRowWindow({
    count,
    rowHeight: ROW_HEIGHT,
    overscan: 8,
    scrollRef,
    initialOffset: saved,
    fallbackHeight: 600,
  });
  useEffect(() => onRange(first, last), [first, last, onRange]);

  // A new filter starts at the top; so does "show the new orders".
  const lastKey = useRef(filterKey);
  const lastTop = useRef(topSignal);
  useEffect(() => {
    if (lastKey.current !== filterKey || lastTop.current !== topSignal) {
      lastKey.current = filterKey;
      lastTop.current = topSignal;
      scrollToOffset(0);
    }
  }, [filterKey, topSignal, scrollToOffset]);

  // Held: the pointer is over the rows, focus is inside, or the list is scrolled down.
  const [pointer, setPointer] = useState(false);
  const [focus, setFocus] = useState(false);
  const [scrolled, setScrolled] = useState(saved > 0);
  const held = pointer || focus || scrolled;
  useEffect(() => onHeld?.(held), [held, onHeld]);
  const onBlur = useCallback((e: React.FocusEvent) => {
    if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setFocus(false);
  }, []);

  const loaded: IndexedRow[] = [];
  for (const item of items) {
    const row = pages.rowAt(item.index);
    if (row) loaded.push({ index: item.index, row });
  }
  const columns = useMemo(() => orderColumns(i18n.language), [i18n.language]);
  const table = useReactTable({
    data: loaded,
    columns,
    state: { columnVisibility },
    getCoreRowModel: getCoreRowModel(),
    // By order id: a row's DOM node and handlers belong to its order, never to a position.
    getRowId: (r) => r.row.order_id,
    // `data` is a new array on every render (the rows in view). With the default auto-reset,
    // each new row model queues a page-index reset, a state change, a render, a new row model:
    // an endless render loop that froze the webview. The table does no paging of its own.
    autoResetAll: false,
  });
  const visible = table.getVisibleLeafColumns();
  const template = [SELECT_WIDTH, ...visible.map((c) => (c.columnDef.meta as ColumnMeta).width)].join(" ");
  const rowsByIndex = new Map(table.getRowModel().rows.map((r) => [r.original.index, r]));

  const focusRow = (index: number) => {
    if (index < 0 || index >= count) return;
    scrollToIndex(index);
    requestAnimationFrame(() => scrollRef.current?.querySelector<HTMLElement>(`[data-index="${index}"]`)?.focus());
  };

  return (
    <div
      ref={scrollRef}
      className={pages.stale ? "orders-scroll stale" : "orders-scroll"}
      role="table"
      aria-busy={pages.stale}
      data-stale={pages.stale || undefined}
      data-held={held || undefined}
      aria-rowcount={count}
      data-testid="orders-table"
      onScroll={(e) => {
        writeScroll(filterKey, e.currentTarget.scrollTop);
        setScrolled(e.currentTarget.scrollTop > 0);
      }}
      onPointerEnter={() => setPointer(true)}
      onPointerLeave={() => setPointer(false)}
      onMouseMove={() => setPointer(true)}
      onFocus={() => setFocus(true)}
      onBlur={onBlur}
    >
      <div className="orders-head" role="row" style={{ gridTemplateColumns: template }}>
        <div role="columnheader" className="cell">
          <span className="visually-hidden">{t("orders.col.select")}</span>
        </div>
        {table.getHeaderGroups()[0]?.headers.map((h) => (
          <div
            key={h.id}
            role="columnheader"
            className={(h.column.columnDef.meta as ColumnMeta).align === "end" ? "cell end" : "cell"}
          >
            {t(String(h.column.columnDef.header))}
          </div>
        ))}
      </div>
      <div className="orders-body" style={{ height: totalSize }}>
        {items.map((item) => {
          const row = rowsByIndex.get(item.index);
          const style = { transform: `translateY(${item.start}px)`, height: ROW_HEIGHT, gridTemplateColumns: template };
          if (!row) {
            return (
              <div key={`loading-${item.index}`} className="orders-row placeholder" role="row" data-testid="order-row-loading" data-index={item.index} style={style}>
                <div className="cell skeleton" />
              </div>
            );
          }
          const id = row.original.row.order_id;
          return (
            <div
              key={id}
              className="orders-row"
              role="row"
              tabIndex={0}
              data-testid="order-row"
              data-order-id={id}
              data-index={item.index}
              aria-rowindex={item.index + 1}
              style={style}
              onClick={() => navigate({ screen: "orders", orderId: id })}
              onKeyDown={(e) => {
                if (e.key === "Enter") navigate({ screen: "orders", orderId: id });
                else if (e.key === "ArrowDown") {
                  e.preventDefault();
                  focusRow(item.index + 1);
                } else if (e.key === "ArrowUp") {
                  e.preventDefault();
                  focusRow(item.index - 1);
                }
              }}
            >
              <div role="cell" className="cell select-cell" onClick={(e) => e.stopPropagation()} onKeyDown={(e) => e.stopPropagation()}>
                <input
                  type="checkbox"
                  data-testid="row-select"
                  aria-label={t("orders.selectRow", { reference: row.original.row.reference })}
                  checked={selected?.has(id) ?? false}
                  onChange={(e) => onToggle?.(row.original.row, e.target.checked)}
                />
              </div>
              {row.getVisibleCells().map((cell) => (
                <div key={cell.id} role="cell" className={(cell.column.columnDef.meta as ColumnMeta).align === "end" ? "cell end" : "cell"}>
                  {flexRender(cell.column.columnDef.cell, cell.getContext())}
                </div>
              ))}
            </div>
          );
        })}
      </div>
    </div>
  );
}

function readScroll(filterKey: string): number {
  try {
    const raw = sessionStorage.getItem(SCROLL_KEY);
    if (!raw) return 0;
    const { key, top } = JSON.parse(raw) as { key: string; top: number };
    return key === filterKey ? top : 0;
  } catch {
    return 0;
  }
}

function writeScroll(filterKey: string, top: number): void {
  try {
    sessionStorage.setItem(SCROLL_KEY, JSON.stringify({ key: filterKey, top }));
  } catch {
    // Without storage the list simply opens at the top next time.
  }
}
