// Query keys in one place so event handlers invalidate exactly what screens read.
import type { DeliveriesFilter } from "../ipc";
import type { OrdersFilter } from "../features/orders/filters";

export const qk = {
  appInfo: ["app-info"] as const,
  orders: ["orders"] as const,
  ordersPage: (filter: OrdersFilter, page: number) => ["orders", filter, page] as const,
  attention: ["attention"] as const,
  savedViews: ["saved-views"] as const,
  order: (id: string) => ["order", id] as const,
  webhooks: ["webhooks"] as const,
  deliveries: ["deliveries"] as const,
  deliveriesPage: (filter: DeliveriesFilter) => ["deliveries", filter] as const,
  delivery: (id: number) => ["delivery", id] as const,
  checklist: ["checklist"] as const,
  dashboard: (days: number) => ["dashboard", days] as const,
  dashboardAll: ["dashboard"] as const,
  health: ["health"] as const,
  settings: ["settings"] as const,
  credentials: ["credentials"] as const,
  demo: ["demo"] as const,
  disputes: (openOnly: boolean) => ["disputes", openOnly] as const,
  disputesAll: ["disputes"] as const,
  statements: ["statements"] as const,
  statement: (id: number) => ["statements", id] as const,
  // Under "statements": an imported statement or a changed order refreshes them too.
  payouts: ["statements", "payouts"] as const,
  month: (month: string) => ["statements", "month", month] as const,
};
