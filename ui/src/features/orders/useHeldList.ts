// Rows never move under the operator. Every page the shell answers carries the cache's arrival
// mark; the list is pinned at the mark of its first answer (`arrived_upto`), so orders that
// reach the cache later — newer ones, and older ones that arrive late — are not in it; a
// one-row probe (`arrived_after`) counts them. While nobody holds the list (pointer outside,
// no focus inside, scrolled to the top) the pin moves forward at once and new orders appear;
// while it is held they wait behind a "N new orders — show" bar. The first pin reuses the
// unpinned answer (the shell read it at that very mark), so pinning asks nothing again.
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useMemo, useState } from "react";
import { ipc, type OrdersPage } from "../../ipc";
import { qk } from "../../app/queryKeys";
import type { OrdersFilter } from "./filters";
import { PAGE_SIZE } from "./useOrderPages";

/** The filter as the list asks for it: the operator's, pinned at arrival `mark`. */
export function pinned(filter: OrdersFilter, mark: number | null): OrdersFilter {
  return mark === null ? filter : { ...filter, arrived_upto: mark };
}

/** The orders of `filter` that arrived after `mark`. */
export function newer(filter: OrdersFilter, mark: number): OrdersFilter {
  return { ...filter, arrived_after: mark };
}

export type HeldList = {
  /** What the list shows. */
  effective: OrdersFilter;
  /** Orders waiting behind the bar (0 when none or the list is not held). */
  waiting: number;
  /** Moves the pin forward: the waiting orders appear. */
  show: () => void;
};

export function useHeldList(filter: OrdersFilter, held: boolean): HeldList {
  const client = useQueryClient();
  const key = JSON.stringify(filter);
  const [pin, setPin] = useState<{ key: string; mark: number } | null>(null);
  const mark = pin?.key === key ? pin.mark : null;
  const effective = useMemo(() => pinned(filter, mark), [filter, mark]);

  // The first answer of the unpinned list (the list's own page 0: same key, one request) pins it.
  const unpinned = useQuery({
    queryKey: qk.ordersPage(filter, 0),
    queryFn: () => ipc.ordersPage({ ...filter, offset: 0, limit: PAGE_SIZE }),
    enabled: mark === null,
  });
  const first: OrdersPage | undefined = mark === null ? unpinned.data : undefined;
  useEffect(() => {
    if (mark !== null || !first) return;
    client.setQueryData(qk.ordersPage(pinned(filter, first.arrival_mark), 0), first);
    setPin({ key, mark: first.arrival_mark });
  }, [mark, first, client, filter, key]);

  const probe = mark === null ? null : newer(filter, mark);
  const arrivals = useQuery({
    queryKey: [...qk.orders, "newer", probe] as const,
    queryFn: () => ipc.ordersPage({ ...(probe as OrdersFilter), offset: 0, limit: 1 }),
    enabled: probe !== null,
  });
  const count = mark !== null && arrivals.data ? arrivals.data.total : 0;
  const latest = arrivals.data?.arrival_mark;

  const show = useCallback(() => {
    if (latest !== undefined && count > 0) setPin({ key, mark: latest });
  }, [latest, count, key]);
  useEffect(() => {
    if (!held && count > 0) show();
  }, [held, count, show]);

  return { effective, waiting: held ? count : 0, show };
}
