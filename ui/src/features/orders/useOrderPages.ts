// Fetches the orders list page by page, only for the rows in view. The row window tells which
// indexes are visible; each index maps to a fixed page (offset = page × PAGE_SIZE). The pages in
// view and the RETAINED_PAGES seen last stay cached, so scrolling back a little draws at once;
// a page older than that leaves the cache as soon as nothing shows it (gcTime 0) and is fetched
// again if the operator scrolls back to it (one IPC call). Keeping every page seen would hold
// every row scrolled past in the web process (docs/benchmarks.md). Live updates invalidate the
// "orders" key: only the pages kept refetch.
import { keepPreviousData, useQueries, useQuery, type QueryClient, type UseQueryResult } from "@tanstack/react-query";
import { useMemo, useRef } from "react";
import { ipc, type OrderRow, type OrdersPage } from "../../ipc";
import { qk } from "../../app/queryKeys";
import type { OrdersFilter } from "./filters";

export const PAGE_SIZE = 100;

/** Pages kept cached after they leave the view, besides those in view. */
export const RETAINED_PAGES = 4;

/** The pages to keep: those in view, then the most recently seen others, at most `keep` of
 *  them, most recent first. */
export function retainedPages(previous: readonly number[], visible: readonly number[], keep: number): number[] {
  const out = [...visible];
  for (const p of previous) {
    if (out.length >= visible.length + keep) break;
    if (!out.includes(p)) out.push(p);
  }
  return out;
}

export function pagesFor(first: number, last: number): number[] {
  if (last < first) return [];
  const out: number[] = [];
  for (let p = Math.floor(first / PAGE_SIZE); p <= Math.floor(last / PAGE_SIZE); p++) out.push(p);
  return out;
}

function fetchPage(filter: OrdersFilter, page: number): Promise<OrdersPage> {
  return ipc.ordersPage({ ...filter, offset: page * PAGE_SIZE, limit: PAGE_SIZE });
}

/** Loads the first page of `filter` into the cache ahead of the list (the shell does this at
 *  start for the filter the list will open with), so opening Orders draws rows at once. */
export function prefetchFirstPage(client: QueryClient, filter: OrdersFilter): Promise<void> {
  return client.prefetchQuery({ queryKey: qk.ordersPage(filter, 0), queryFn: () => fetchPage(filter, 0) });
}

export type OrderPages = {
  /** Total matching rows, `null` until the first page answered. */
  total: number | null;
  capped: boolean;
  /** The rows shown are the previous filter's while the new one loads. */
  stale: boolean;
  rowAt: (index: number) => OrderRow | undefined;
  firstPage: UseQueryResult<OrdersPage>;
  errorPage: unknown;
  refetch: () => void;
};

/** `identity` names the operator's filter: a `filter` that differs only by the list's pin
 *  (`useHeldList`) keeps it, so moving the pin neither dims the list nor forgets pages. */
export function useOrderPages(filter: OrdersFilter, firstVisible: number, lastVisible: number, identity = JSON.stringify(filter)): OrderPages {
  // Page 0 always loads: it answers the total even before the row window has a viewport.
  // While a new filter's first page is on its way the previous answer stays on screen (dimmed)
  // instead of flashing an empty table.
  const firstPage = useQuery({
    queryKey: qk.ordersPage(filter, 0),
    queryFn: () => fetchPage(filter, 0),
    placeholderData: keepPreviousData,
  });
  const answeredFor = useRef<string | null>(null);
  if (firstPage.data && !firstPage.isPlaceholderData) answeredFor.current = identity;
  const stale = firstPage.isPlaceholderData && answeredFor.current !== identity;
  // The pages seen last, for this filter only: another filter's page numbers mean other rows.
  const filterKey = identity;
  const seen = useRef<{ filterKey: string; pages: number[] }>({ filterKey, pages: [] });
  const pages = useMemo(() => {
    if (stale) return [];
    const visible = pagesFor(firstVisible, lastVisible).filter((p) => p !== 0);
    const previous = seen.current.filterKey === filterKey ? seen.current.pages : [];
    // Idempotent: a second render with the same window computes the same list.
    const kept = retainedPages(previous, visible, RETAINED_PAGES);
    seen.current = { filterKey, pages: kept };
    return kept;
  }, [firstVisible, lastVisible, stale, filterKey]);
  const results = useQueries({
    queries: pages.map((p) => ({ queryKey: qk.ordersPage(filter, p), queryFn: () => fetchPage(filter, p), gcTime: 0 })),
  });

  const byPage = new Map<number, OrdersPage>();
  if (firstPage.data) byPage.set(0, firstPage.data);
  results.forEach((r, i) => {
    const p = pages[i];
    if (p !== undefined && r.data) byPage.set(p, r.data);
  });

  const answered = firstPage.data;
  const errorPage = firstPage.error ?? results.find((r) => r.error)?.error ?? null;
  return {
    total: answered ? answered.total : null,
    capped: answered ? answered.total_capped : false,
    stale,
    rowAt: (index) => byPage.get(Math.floor(index / PAGE_SIZE))?.rows[index % PAGE_SIZE],
    firstPage,
    errorPage,
    refetch: () => {
      void firstPage.refetch();
      results.forEach((r) => void r.refetch());
    },
  };
}
