// A hash router: a handful of screens do not need a routing library, and the hash survives a
// webview reload, so the operator lands back on the same order.
import { useSyncExternalStore } from "react";

export type Screen = "orders" | "webhooks" | "exports" | "checklist" | "dashboard" | "settings" | "checkout" | "till" | "disputes" | "reconciliation";
// Alt+1… follow this order; a new screen goes last so operators' shortcuts do not move.
export const SCREENS: Screen[] = ["orders", "webhooks", "exports", "checklist", "dashboard", "settings", "checkout", "till", "disputes", "reconciliation"];
/** The digit of a screen's Alt shortcut (Alt+1 … Alt+9, then Alt+0); none past the tenth. */
export function shortcutDigit(index: number): string | null {
  return index < 9 ? String(index + 1) : index === 9 ? "0" : null;
}
export type Route = { screen: Screen; orderId?: string };

export function parseHash(hash: string): Route {
  const parts = hash.replace(/^#\/?/, "").split("/").filter(Boolean).map(decodeURIComponent);
  const [first, second] = parts;
  if (first === "orders" && second) return { screen: "orders", orderId: second };
  if (first && (SCREENS as string[]).includes(first)) return { screen: first as Screen };
  return { screen: "orders" };
}

export function hrefFor(route: Route): string {
  return route.orderId ? `#/orders/${encodeURIComponent(route.orderId)}` : `#/${route.screen}`;
}

export function navigate(route: Route): void {
  window.location.hash = hrefFor(route);
}

function subscribe(cb: () => void): () => void {
  window.addEventListener("hashchange", cb);
  return () => window.removeEventListener("hashchange", cb);
}

export function useRoute(): Route {
  const hash = useSyncExternalStore(subscribe, () => window.location.hash);
  return parseHash(hash);
}
