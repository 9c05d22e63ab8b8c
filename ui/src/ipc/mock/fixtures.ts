// Sample data in the contract's shapes, shared by the component tests and the browser-only mock
// mode (`npm run dev:mock`). Amounts are strings at their currency's precision, as the shell
// sends them.
import type { AppInfo, DisputeEventRow, DisputeListRow, OrderDetail, OrderRow } from "..";

export const SANDBOX_INFO: AppInfo = {
  environment: "sandbox",
  demo: false,
  version: "0.1.0",
  data_dir: "/home/op/.local/share/mizan",
  operator: "Noura",
  receiver_url: "http://127.0.0.1:8787/webhooks/tamara",
  receiver_error: null,
  public_url: null,
  locale: null,
  api_url: "https://api-sandbox.tamara.co",
};

export const PRODUCTION_INFO: AppInfo = { ...SANDBOX_INFO, environment: "production", api_url: "https://api.tamara.co" };
export const DEMO_INFO: AppInfo = { ...SANDBOX_INFO, demo: true, data_dir: "/home/op/.local/share/mizan/demo" };

const STATUSES = ["approved", "authorised", "partially_captured", "fully_captured", "partially_refunded", "canceled", "declined", "expired", "new"];
const CURRENCIES = [
  ["SAR", 2],
  ["AED", 2],
  ["KWD", 3],
  ["BHD", 3],
] as const;

/** `minor` units at `places` decimals as a decimal string, by string surgery (no floats). */
export function minorToString(minor: bigint, places: number): string {
  const digits = minor.toString().padStart(places + 1, "0");
  return places === 0 ? digits : `${digits.slice(0, -places)}.${digits.slice(-places)}`;
}

export function orderId(index: number): string {
  const hex = index.toString(16).padStart(12, "0");
  return `0d5e8a1c-7b3f-4c2a-9e61-${hex}`;
}

/** Deterministic order number `index` of a large cache. */
export function syntheticOrder(index: number): OrderRow {
  const [currency, places] = CURRENCIES[index % CURRENCIES.length] ?? ["SAR", 2];
  const status = STATUSES[index % STATUSES.length] ?? "new";
  const totalMinor = BigInt(((index * 7919) % 4_900_000) + 10_000) * (places === 3 ? 10n : 1n);
  const captured = ["partially_captured", "partially_refunded"].includes(status)
    ? totalMinor / 2n
    : status === "fully_captured"
      ? totalMinor
      : 0n;
  const refunded = status === "partially_refunded" ? captured / 4n : 0n;
  const created = new Date(Date.UTC(2025, 0, 1) + index * 37_000).toISOString().replace(/\.\d{3}Z$/, "Z");
  return {
    order_id: orderId(index),
    reference: `MZ-${String(100000 + index)}`,
    status,
    currency,
    total: minorToString(totalMinor, places),
    captured: minorToString(captured, places),
    refunded: minorToString(refunded, places),
    created_at: created,
    customer: index % 5 === 0 ? null : `Customer ${index}`,
    phone: index % 5 === 0 ? null : `5${String(10_000_000 + ((index * 104729) % 90_000_000)).padStart(8, "0")}`,
    email: index % 5 === 0 ? null : `customer.${index}@example.test`,
    rehearsal: false,
  };
}

export const RAW_ORDER = `{
  "order_id": "0d5e8a1c-7b3f-4c2a-9e61-000000000007",
  "order_reference_id": "MZ-100007",
  "status": "fully_captured",
  "total_amount": { "amount": 460.00, "currency": "SAR" },
  "captured_amount": { "amount": 460.00, "currency": "SAR" },
  "big": 12345678901234567890.125,
  "items": [
    { "reference_id": "line-1", "sku": "SKU-1", "name": "Oud perfume", "quantity": 2, "total_amount": { "amount": 400.00, "currency": "SAR" } },
    { "reference_id": "line-2", "sku": "SKU-2", "name": "Gift box", "quantity": 1, "total_amount": { "amount": 60.00, "currency": "SAR" } }
  ],
  "is_mock": false,
  "note": null
}`;

export function sampleDetail(patch: Partial<OrderDetail> = {}): OrderDetail {
  return {
    order: {
      order_id: orderId(7),
      reference: "MZ-100007",
      status: "fully_captured",
      currency: "SAR",
      total: "460.00",
      captured: "460.00",
      refunded: "0.00",
      created_at: "2025-03-02T09:15:00Z",
      customer: "Layla Al-Harbi",
      phone: "515961287",
      email: "layla@example.test",
      rehearsal: false,
    },
    amounts: {
      authorised: "460.00",
      captured: "460.00",
      refunded: "0.00",
      canceled: "0.00",
      capturable: "0.00",
      refundable: "460.00",
      cancelable: "0.00",
    },
    items: [
      { reference_id: "line-1", sku: "SKU-1", name: "Oud perfume", quantity: 2, unit_price: "200.00", total: "400.00" },
      { reference_id: "line-2", sku: "SKU-2", name: "Gift box", quantity: 1, unit_price: null, total: "60.00" },
    ],
    timeline: [
      { at: "2025-03-02T09:15:00Z", kind: "status", title: "new", detail: "Checkout created", phrase: { code: "order_created", params: { reference: "MZ-100000", total: "460.00 SAR" } }, detail_phrases: [], payload: null },
      { at: "2025-03-02T09:17:10Z", kind: "webhook", title: "order_approved", detail: "Delivery #12 verified", phrase: { code: "webhook_received", params: { event: "order_approved", verdict: "verified" } }, detail_phrases: [{ code: "webhook_handled", params: { processing: "processed", http: "200" } }], payload: '{"order_id":"0d5e8a1c","event_type":"order_approved","data":[]}' },
      { at: "2025-03-02T09:17:11Z", kind: "api_call", title: "POST /orders/{id}/authorise", detail: "200 OK in 180 ms", phrase: { code: "order_read", params: { status: "authorised" } }, detail_phrases: [], payload: '{"status":"authorised"}' },
      { at: "2025-03-02T10:00:00Z", kind: "move", title: "capture 460.00 SAR", detail: "succeeded", phrase: { code: "move_recorded", params: { move_kind: "capture", amount: "460.00 SAR", move_state: "succeeded" } }, detail_phrases: [{ code: "moved_by", params: { actor: "Noura", source: "api" } }], payload: '{"total_amount":{"amount":460.00,"currency":"SAR"}}' },
      { at: "2025-03-02T10:00:01Z", kind: "audit", title: "move.capture", detail: "Noura", phrase: { code: "status_changed", params: { from: "approved", to: "authorised" } }, detail_phrases: [{ code: "audit_result", params: { result: "order_approved: approved -> authorised", operator: "Noura" } }], payload: null },
    ],
    raw_order: RAW_ORDER,
    unreadable_fields: [],
    allowed: { authorise: false, capture: false, refund: true, cancel: false },
    last_synced_at: "2025-03-02T10:00:02Z",
    settlements: [],
    ...patch,
  };
}

/** The order events as the core serves them (`webhook_events`). */
export const ORDER_EVENTS = ["order_approved", "order_declined", "order_authorised", "order_canceled", "order_updated", "order_captured", "order_refunded", "order_expired"];

const DAY = 86_400_000;

/** Disputes in each state the screen shows: waiting (with days left), overdue, under review, closed. */
export const DISPUTES: DisputeListRow[] = [
  { dispute_id: "104", order_id: orderId(3), order_reference_id: "WEB-100003", status: "awaiting_merchant_response", open: true, amount: "230.00", currency: "SAR", opened_at: new Date(Date.now() - 2 * DAY).toISOString(), closed_at: null, respond_by: new Date(Date.now() + 5 * DAY).toISOString(), days_left: 5, last_event: "OrderDisputeAwaitingMerchantResponse", source: "notification" },
  { dispute_id: "101", order_id: orderId(9), order_reference_id: "WEB-100009", status: "awaiting_merchant_response", open: true, amount: "99.500", currency: "KWD", opened_at: new Date(Date.now() - 9 * DAY).toISOString(), closed_at: null, respond_by: new Date(Date.now() - 2 * DAY).toISOString(), days_left: -2, last_event: "OrderDisputeAwaitingMerchantResponse", source: "list" },
  { dispute_id: "99", order_id: orderId(14), order_reference_id: "WEB-100014", status: "under_review", open: true, amount: "1200.00", currency: "AED", opened_at: new Date(Date.now() - 12 * DAY).toISOString(), closed_at: null, respond_by: null, days_left: null, last_event: "OrderDisputeWasUpdated", source: "notification" },
  { dispute_id: "87", order_id: orderId(21), order_reference_id: "WEB-100021", status: "claim_accepted", open: false, amount: "75.00", currency: "SAR", opened_at: new Date(Date.now() - 30 * DAY).toISOString(), closed_at: new Date(Date.now() - 20 * DAY).toISOString(), respond_by: null, days_left: null, last_event: "OrderDisputeClosedTamaraAcceptedClaim", source: "notification" },
];

/** A dispute event whose shape named no dispute, kept as sent. */
export const UNMATCHED_DISPUTE_EVENTS: DisputeEventRow[] = [
  { delivery_id: 4410, event_type: "OrderDisputeWasEscalated", order_id: null, dispute_id: null, status: null, recognised: false, received_at: new Date(Date.now() - 3_600_000).toISOString(), body: '{"event_type":"OrderDisputeWasEscalated","case":{"ref":"X-1"}}' },
];
