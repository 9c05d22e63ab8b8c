// Rows never move under the operator. The list is pinned to the orders created up to a bound
// (`created_to`, just after the newest row shown); orders that arrive later are counted by a
// second, one-row query. While nobody holds the list (pointer outside, no focus inside,
// scrolled to the top) the pin moves forward at once and new orders appear on top; while the
// list is held they wait behind a "N new orders — show" bar. Pinning changes no row already
// shown: the pinned query holds exactly the rows the unpinned one answered, so the first pin
// reuses that answer instead of asking again.
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useMemo, useState } from "react";
import { ipc, type OrdersPage } from "../../ipc";
import { qk } from "../../app/queryKeys";
import type { OrdersFilter } from "./filters";
import { PAGE_SIZE } from "./useOrderPages";

/** The exclusive upper bound that keeps `createdAt` and everything older: one millisecond on
 *  (the shell's times carry milliseconds). */
export function boundAfter(createdAt: string): string {
  const ms = Date.parse(createdAt);
  return Number.isNaN(ms) ? createdAt : new Date(ms + 1).toISOString();
}

const earlier = (a: string | null, b: string): string => (a !== null && Date.parse(a) < Date.parse(b) ? a : b);
const later = (a: string | null, b: string): string => (a !== null && Date.parse(a) > Date.parse(b) ? a : b);

/** The filter as the list asks for it: the operator's, pinned at `bound`. */
export function pinned(filter: OrdersFilter, bound: string | null): OrdersFilter {
  return bound === null ? filter : { ...filter, created_to: earlier(filter.created_to, bound) };
}

/** The orders of `filter` that arrived after `bound`. */
export function newer(filter: OrdersFilter, bound: string): OrdersFilter {
  return { ...filter, created_from: later(filter.created_from, bound) };
}

export type HeldList = {
  /** What the list shows. */
  effective: OrdersFilter;
  /** Orders waiting behind the bar (0 when none or the list is not held). */
  waiting: number;
  /** Moves the pin to the newest order: the waiting ones appear. */
  show: () => void;
};

export function useHeldList(filter: OrdersFilter, held: boolean): HeldList {
  const client = useQueryClient();
  const key = JSON.stringify(filter);
  const [pin, setPin] = useState<{ key: string; bound: string } | null>(null);
  const bound = pin?.key === key ? pin.bound : null;
  const effective = useMemo(() => pinned(filter, bound), [filter, bound]);

  // The first answer of an unpinned list (the list's own page 0: same key, one request) pins
  // it at its newest row.
  const unpinned = useQuery({
    queryKey: qk.ordersPage(filter, 0),
    queryFn: () => ipc.ordersPage({ ...filter, offset: 0, limit: PAGE_SIZE }),
    enabled: bound === null,
  });
  const firstPage: OrdersPage | undefined = bound === null ? unpinned.data : undefined;
  const newest = firstPage?.rows[0]?.created_at;
  useEffect(() => {
    if (bound !== null || !firstPage || newest === undefined) return;
    const b = boundAfter(newest);
    client.setQueryData(qk.ordersPage(pinned(filter, b), 0), firstPage);
    setPin({ key, bound: b });
  }, [bound, firstPage, newest, client, filter, key]);

  const newerFilter = bound === null ? null : newer(filter, bound);
  const arrivals = useQuery({
    queryKey: [...qk.orders, "newer", newerFilter] as const,
    queryFn: () => ipc.ordersPage({ ...(newerFilter as OrdersFilter), offset: 0, limit: 1 }),
    enabled: newerFilter !== null,
  });
  const latest = arrivals.data?.rows[0]?.created_at;
  const count = bound !== null && arrivals.data ? arrivals.data.total : 0;

  const show = useCallback(() => {
    if (latest !== undefined) setPin({ key, bound: boundAfter(latest) });
  }, [latest, key]);
  useEffect(() => {
    if (!held && count > 0) show();
  }, [held, count, show]);

  return { effective, waiting: held ? count : 0, show };
}
