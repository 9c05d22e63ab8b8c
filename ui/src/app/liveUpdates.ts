// Pushed events → TanStack Query caches. Nothing here polls: the shell emits, we invalidate
// what the event touches, and only queries on screen refetch. Bursts (demo traffic, a
// reconciler sweep) are coalesced into one invalidation per short window.
import { useEffect } from "react";
import type { QueryClient } from "@tanstack/react-query";
import { onEvent, type HealthChanged } from "../ipc";
import { qk } from "./queryKeys";

const COALESCE_MS = 250;

export function useLiveUpdates(client: QueryClient): void {
  useEffect(() => {
    const orders = new Set<string>();
    let listsDirty = false;
    let deliveriesDirty = false;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const flush = () => {
      timer = null;
      if (listsDirty) {
        void client.invalidateQueries({ queryKey: qk.orders });
        void client.invalidateQueries({ queryKey: qk.attention });
        void client.invalidateQueries({ queryKey: qk.dashboardAll });
        // A capture or refund recorded can match a statement line (reconciled on each read).
        void client.invalidateQueries({ queryKey: qk.statements });
      }
      if (deliveriesDirty) {
        void client.invalidateQueries({ queryKey: qk.deliveries });
        void client.invalidateQueries({ queryKey: qk.dashboardAll });
        // A dispute arrives as a delivery.
        void client.invalidateQueries({ queryKey: qk.disputesAll });
      }
      for (const id of orders) void client.invalidateQueries({ queryKey: qk.order(id) });
      orders.clear();
      listsDirty = false;
      deliveriesDirty = false;
    };
    const schedule = () => {
      timer ??= setTimeout(flush, COALESCE_MS);
    };
    const stops = [
      onEvent("orderChanged", (e) => {
        orders.add(e.order_id);
        listsDirty = true;
        schedule();
      }),
      onEvent("deliveryReceived", (e) => {
        if (e.order_id) orders.add(e.order_id);
        deliveriesDirty = true;
        schedule();
      }),
      onEvent("healthChanged", (e) => {
        client.setQueryData<HealthChanged>(qk.health, e);
      }),
    ];
    return () => {
      stops.forEach((stop) => stop());
      if (timer) clearTimeout(timer);
    };
  }, [client]);
}
