// A browser-only stand-in for the Tauri shell (`npm run dev:mock`, `npm run build:mock`): the UI
// runs in any browser against 1,000,000 synthetic orders, moves with refusals, deliveries and
// export progress events. Never part of the production bundle (main.tsx loads it only in
// `--mode mock`), and not a test oracle: component tests script their own answers.
import { mockIPC } from "@tauri-apps/api/mocks";
import { emit } from "@tauri-apps/api/event";
import type { DeliveryRow, IpcErrorCode, MoveInput, OrderDetail, OrdersQuery, SavedView } from "..";
import { compareAmounts, CURRENCY_PRECISION, toScaled } from "../../lib/money";
import { LIST as STATEMENTS, answer as importAnswer, view as statementView } from "./statements";
import { PAYOUTS, bankAnswer, monthSummary, payout } from "./payouts";
import { DEMO_INFO, DISPUTES, ORDER_EVENTS, PRODUCTION_INFO, UNMATCHED_DISPUTE_EVENTS, minorToString, orderId, sampleDetail, syntheticOrder } from "./fixtures";

const TOTAL = 1_000_000;
const refuse = (code: IpcErrorCode, message: string) => Promise.reject({ code, message });

function matches(q: OrdersQuery, i: number): boolean {
  const o = syntheticOrder(i);
  if (q.statuses?.length && !q.statuses.includes(o.status)) return false;
  if (q.currency && o.currency !== q.currency) return false;
  if (q.reference && !o.reference.toLowerCase().includes(q.reference.toLowerCase())) return false;
  if (q.text && !`${o.customer ?? ""} ${o.order_id} ${o.phone ?? ""} ${o.email ?? ""}`.toLowerCase().includes(q.text.toLowerCase())) return false;
  if (q.created_from && o.created_at < q.created_from) return false;
  if (q.created_to && o.created_at >= q.created_to) return false;
  if (q.amount_min && compareAmounts(o.total, q.amount_min) < 0) return false;
  if (q.amount_max && compareAmounts(o.total, q.amount_max) > 0) return false;
  return true;
}

export function installFakeShell(): void {
  const production = new URLSearchParams(location.search).get("env") === "production";
  let info = production ? PRODUCTION_INFO : DEMO_INFO;
  const views: SavedView[] = [];
  const details = new Map<string, OrderDetail>();
  const filtered = new Map<string, number[]>();
  let demo = { available: true, running: true, orders_created: 1342 };
  const deliveries: DeliveryRow[] = Array.from({ length: 120 }, (_, k) => ({
    id: 120 - k,
    received_at: new Date(Date.now() - k * 90_000).toISOString(),
    order_id: orderId(k),
    event_type: ["order_approved", "order_authorised", "order_captured", "order_refunded"][k % 4] ?? null,
    verdict: k % 17 === 5 ? "rejected" : "verified",
    reason: k % 17 === 5 ? "token expired" : null,
    http_status: k % 17 === 5 ? 401 : 200,
    processing_state: k % 17 === 5 ? "skipped" : k % 23 === 3 ? "failed" : "processed",
    processing_result: k % 23 === 3 ? "order read failed: gateway_timeout" : null,
    attempts: 1,
  }));

  const detailFor = (id: string): OrderDetail => {
    const known = details.get(id);
    if (known) return known;
    const index = parseInt(id.slice(-12), 16) || 0;
    const row = syntheticOrder(index);
    const base = sampleDetail();
    const places = CURRENCY_PRECISION[row.currency] ?? 2;
    const zero = minorToString(0n, places);
    const left = (a: string, b: string) => minorToString(toScaled(a, places) - toScaled(b, places), places);
    const d: OrderDetail = {
      ...base,
      order: row,
      amounts: {
        authorised: ["new", "approved", "declined", "expired"].includes(row.status) ? zero : row.total,
        captured: row.captured,
        refunded: row.refunded,
        canceled: row.status === "canceled" ? row.total : zero,
        capturable: ["authorised", "partially_captured"].includes(row.status) ? left(row.total, row.captured) : zero,
        refundable: left(row.captured, row.refunded),
        cancelable: row.status === "authorised" ? row.total : zero,
      },
      allowed: {
        authorise: row.status === "approved",
        capture: ["authorised", "partially_captured"].includes(row.status),
        refund: compareAmounts(row.captured, row.refunded) > 0,
        cancel: row.status === "authorised",
      },
    };
    details.set(id, d);
    return d;
  };

  const handlers: Record<string, (a: Record<string, unknown>) => unknown> = {
    app_info: () => info,
    locale_save: () => null,
    switch_environment: (a) => {
      if (a.environment === "production" && a.confirmText !== "PRODUCTION") return refuse("confirmation_mismatch", "Type PRODUCTION to switch.");
      info = a.environment === "production" ? PRODUCTION_INFO : { ...PRODUCTION_INFO, environment: "sandbox" };
      return info;
    },
    orders_page: (a) => {
      const q = a.query as OrdersQuery;
      const { offset = 0, limit, ...filter } = q;
      const key = JSON.stringify(filter);
      // The synthetic cache never grows: nothing arrives after any mark.
      if (filter.arrived_after != null) return { rows: [], total: 0, total_capped: false, arrival_mark: TOTAL };
      const ignored = ["statuses", "rehearsal", "arrived_upto"];
      const unfiltered = !filter.statuses?.length && Object.entries(filter).every(([k, v]) => ignored.includes(k) || v === null || v === undefined);
      if (unfiltered) {
        const rows = [];
        for (let i = offset; i < Math.min(offset + limit, TOTAL); i++) rows.push(syntheticOrder(i));
        return { rows, total: TOTAL, total_capped: false, arrival_mark: TOTAL };
      }
      let hits = filtered.get(key);
      if (!hits) {
        hits = [];
        for (let i = 0; i < TOTAL; i++) if (matches(q, i)) hits.push(i);
        filtered.set(key, hits);
      }
      return { rows: hits.slice(offset, offset + limit).map(syntheticOrder), total: hits.length, total_capped: false, arrival_mark: TOTAL };
    },
    attention_queue: () => [
      { order_id: orderId(0), reference: "MZ-100000", reason: "approved_not_authorised", deadline: new Date(Date.now() + 5 * 3600_000).toISOString(), amount: "100.00", currency: "SAR", customer: null, detail: "Webhook order_approved received; auto-authorise is off", phrase: { code: "authorise_before_expiry", params: {} } },
      { order_id: orderId(9), reference: "MZ-100009", reason: "approved_not_authorised", deadline: new Date(Date.now() + 50 * 3600_000).toISOString(), amount: "250.00", currency: "SAR", customer: "Customer 9", detail: "", phrase: { code: "authorise_before_expiry", params: {} } },
      { order_id: orderId(1), reference: "MZ-100001", reason: "authorised_not_captured", deadline: new Date(Date.now() + 20 * 86400_000).toISOString(), amount: "1900.00", currency: "AED", customer: "Customer 1", detail: "Authorised 1 day ago", phrase: { code: "capture_before_auto_capture", params: {} } },
      { order_id: orderId(18), reference: "MZ-100018", reason: "mismatch", deadline: null, amount: null, currency: null, customer: "Customer 18", detail: "Cache says approved, Tamara says authorised", phrase: { code: "move_unsettled", params: { move_kind: "capture", amount: "120.00 SAR", move_state: "unknown" } } },
    ],
    saved_views: () => views,
    save_view: (a) => {
      views.push({ name: String(a.name), query: a.query as OrdersQuery });
      return null;
    },
    delete_view: (a) => {
      views.splice(views.findIndex((v) => v.name === a.name), 1);
      return null;
    },
    order_detail: (a) => detailFor(String(a.orderId)),
    order_refresh: (a) => detailFor(String(a.orderId)),
    move_preview: (a) => {
      const input = a.input as MoveInput;
      const d = detailFor(input.order_id);
      const limit = input.kind === "refund" ? d.amounts.refundable : input.kind === "capture" ? d.amounts.capturable : d.amounts.cancelable;
      if (input.kind === "refund" && !input.comment) return refuse("comment_required", "A refund needs a comment (Tamara requires one).");
      if (input.amount && compareAmounts(input.amount, limit) > 0)
        return refuse(`amount_exceeds_${input.kind === "refund" ? "refundable" : input.kind === "capture" ? "capturable" : "cancelable"}`, `${input.amount} ${d.order.currency} is more than the ${limit} ${d.order.currency} left to ${input.kind}.`);
      const path = input.kind === "refund" ? `/payments/simplified-refund/${input.order_id}` : input.kind === "authorise" ? `/orders/${input.order_id}/authorise` : `/payments/${input.kind}`;
      const body = input.kind === "authorise" ? "" : JSON.stringify({ order_id: input.order_id, total_amount: { amount: input.amount ?? limit, currency: d.order.currency }, comment: input.comment ?? undefined }, null, 2);
      return { method: "POST", url: `${info.api_url}${path}`, body, environment: info.environment, needs_confirmation: info.environment === "production", confirm_hint: d.order.reference, warnings: [] };
    },
    move_execute: (a) => {
      const input = a.input as MoveInput;
      const d = detailFor(input.order_id);
      if (info.environment === "production" && a.confirmText !== d.order.reference) return refuse("confirmation_mismatch", "The typed reference does not match the order.");
      return { outcome: "succeeded", detail: `${input.kind} sent; Tamara answered 200`, order: d };
    },
    webhooks_list: () => [
      { webhook_id: "wh_5f2c", url: info.receiver_url, events: ["order_approved", "order_authorised", "order_captured", "order_refunded"], headers: ["x-console-key"], known_to_tamara: true, registered_here: true, created_at: "2025-02-01T08:00:00Z" },
    ],
    webhook_register: (a) => ({ webhook_id: "wh_new", url: a.url, events: a.events, headers: Object.keys(a.headers as object), known_to_tamara: true, registered_here: true, created_at: new Date().toISOString() }),
    webhook_update: (a) => ({ webhook_id: a.id, url: a.url, events: a.events, headers: [], known_to_tamara: true, registered_here: true, created_at: null }),
    webhook_delete: () => null,
    deliveries_page: (a) => {
      const f = a.filter as { order_id: string | null; verdict: string | null; before_id: number | null; limit: number };
      return deliveries
        .filter((d) => (!f.order_id || d.order_id === f.order_id) && (!f.verdict || d.verdict === f.verdict) && (f.before_id === null || d.id < f.before_id))
        .slice(0, f.limit);
    },
    delivery_detail: (a) => {
      const delivery = deliveries.find((d) => d.id === a.id) ?? deliveries[0];
      return { delivery, method: "POST", path: "/webhooks/tamara", query: "tamaraToken=****9f2a", headers: '{"content-type":"application/json","authorization":"Bearer ****9f2a"}', body: `{"order_id":"${delivery?.order_id}","event_type":"${delivery?.event_type}","data":{"captured_amount":{"amount":230.00,"currency":"SAR"}}}` };
    },
    delivery_replay: (a) => handlers.delivery_detail?.(a),
    token_check: () => ({ ok: false, checks: [{ name: "format", ok: true, detail: "a JWT with 3 parts" }, { name: "algorithm", ok: true, detail: "HS256" }, { name: "signature", ok: true, detail: "matches the sandbox notification token" }, { name: "expiry", ok: false, detail: "expired 2 h 13 min ago" }] }),
    webhook_events: () => ORDER_EVENTS,
    checkout_check: (a) => {
      try {
        JSON.parse(String(a.text));
      } catch (e) {
        return { convention: null, findings: [{ path: "", severity: "error", code: "not_json", message: `not JSON: ${String(e)}` }] };
      }
      return {
        convention: "items_inclusive",
        findings: [
          { path: "instalments", severity: "warning", code: "instalments_missing", message: "absent with PAY_BY_INSTALMENTS: the OpenAPI file requires it (the simulator takes 3)" },
          { path: "total_amount.amount", severity: "info", code: "totals_match", message: "adds up as items_inclusive: item totals include their tax and discount" },
        ],
      };
    },
    order_statement: (a) => `<!doctype html><html><body><h1>Order statement</h1><p>${String(a.orderId)}</p></body></html>`,
    till_start: (a) => {
      const input = a.input as { channel: string; reference: string };
      return { order_id: `ord-till-${input.reference}`, checkout_id: "chk-till-7a1", link: input.channel === "qr" ? "https://checkout.tamara.co/qr/chk-till-7a1" : "https://checkout.tamara.co/in-store/chk-till-7a1" };
    },
    till_void: () => ({ voided: true, message: "success" }),
    till_id_status: () => true,
    till_payment_types: () => [
      { name: "PAY_BY_INSTALMENTS", description: "Split into multiple payments. No fees", description_ar: "قسّمها على دفعات بلا رسوم", currency: "SAR", min: "1.00", max: "5000.00", instalments: [3, 4, 6] },
      { name: "PAY_NOW", description: "Pay in full now", description_ar: "ادفع كامل المبلغ الآن", currency: "SAR", min: "1.00", max: "20000.00", instalments: [] },
    ],
    till_pre_check: () => ({ available: true, options: [{ payment_type: "PAY_BY_INSTALMENTS", instalments: 4, description_en: "Split in 4", description_ar: "قسّمها على 4" }] }),
    webhook_self_test: (a) => ({ ok: true, reachable_by_tamara: false, url: String(a.url ?? info.receiver_url), hints: [], findings: [{ code: "receiver_listening", ok: true, detail: "127.0.0.1:8787" }, { code: "token_verified", ok: true, detail: "signed test notification accepted" }, { code: "processed", ok: true, detail: "in 41 ms" }] }),
    // The browser has no files: nothing ever exists, so the mock never asks to replace.
    export_existing: () => [],
    export_run: async (a) => {
      // A selection writes its own orders; the whole cache streams in steps.
      if (Array.isArray(a.orderIds)) return { export_id: "x2", rows: a.orderIds.length, path: a.path, extra_paths: [] };
      for (let rows = 0; rows <= 25_000; rows += 5_000) {
        await emit("export-progress", { export_id: "x1", rows, done: rows === 25_000 });
        await new Promise((r) => setTimeout(r, 250));
      }
      return { export_id: "x1", rows: 25_000, path: a.path, extra_paths: a.kind === "settlement" ? [String(a.path).replace(/\.csv$/, ".totals.csv")] : [] };
    },
    checklist: () => [
      { id: "webhook", section: "Webhooks", title: "Webhook registered and verified", kind: "automatic", optional: false, done: true, evidence: [`delivery #118 for ${orderId(3)}`], note: null },
      { id: "authorise", section: "Order management", title: "Approved orders are authorised", kind: "automatic", optional: false, done: true, evidence: [orderId(4)], note: null },
      { id: "refund", section: "Order management", title: "Partial refund with comment", kind: "automatic", optional: false, done: false, evidence: [], note: "No partial refund seen yet" },
      { id: "widgets", section: "Storefront", title: "Tamara widgets shown on product and cart pages", kind: "manual", optional: true, done: false, evidence: [], note: null },
    ],
    checklist_mark: (a) => ({ id: a.id, section: "Storefront", title: "Tamara widgets shown on product and cart pages", kind: "manual", optional: true, done: a.done, evidence: [], note: a.note }),
    checklist_rehearse: async () => {
      const steps = ["checkout", "approve", "authorise", "capture", "refund", "webhooks"].map((step) => ({ step, ok: true, detail: "ok" }));
      for (const s of steps) {
        await emit("rehearsal-progress", s);
        await new Promise((r) => setTimeout(r, 300));
      }
      return { ok: true, steps };
    },
    checklist_report: (a) => a.path,
    dashboard: (a) => ({
      volume: Array.from({ length: Number(a.days) }, (_, k) => {
        const day = new Date(Date.now() - (Number(a.days) - 1 - k) * 86_400_000).toISOString().slice(0, 10);
        return { day, currency: "SAR", captured: minorToString(BigInt(((k * 7919) % 900_000) + 50_000), 2), refunded: minorToString(BigInt(((k * 104729) % 90_000) + 1_000), 2) };
      }),
      webhooks: { received: 1342, rejected: 7, failed: 2 },
      breaker: "closed",
      backlog: 3,
      reconciler_last_run: new Date(Date.now() - 40_000).toISOString(),
      reconciler_late: false,
      registrations: { checked_at: new Date(Date.now() - 120_000).toISOString(), registered: 1, problems: [], silent: false, silent_since: null, orders_changed: 0 },
      rejection_spike: null,
    }),
    settings: () => ({ receiver_port: 8787, public_url: null, auto_authorise: true, reconcile_every_secs: 60, operator: "Noura", retention_rejected_days: 7, retention_processed_days: 90, rejection_alert_per_10_min: 50 }),
    settings_save: (a) => a.settings,
    credentials_status: () => [
      { environment: "sandbox", api_token: { set: true, last4: "x9Qa", source: "built-in demo" }, notification_token: { set: true, last4: "77b1", source: "built-in demo" }, public_key: { set: false, last4: null, source: "unset" }, keychain_error: null },
      { environment: "production", api_token: { set: false, last4: null, source: "unset" }, notification_token: { set: false, last4: null, source: "unset" }, public_key: { set: false, last4: null, source: "unset" }, keychain_error: null },
    ],
    credentials_set: (a) => handlers.credentials_status?.(a),
    credentials_test: () => ({ ok: true, detail: "GET /merchants/configs answered 200" }),
    disputes_list: (a) => {
      const all = DISPUTES.filter((d) => !a.openOnly || d.open);
      return { disputes: all, unmatched: UNMATCHED_DISPUTE_EVENTS, response_days: 7, api_configured: true };
    },
    disputes_refresh: () => DISPUTES.length,
    dispute_comment: (a) => {
      const d = DISPUTES.find((x) => x.dispute_id === a.disputeId);
      if (!d) return refuse("dispute_not_found", `No dispute ${String(a.disputeId)} here.`);
      if (d.status === "awaiting_merchant_response") Object.assign(d, { status: "under_review", days_left: null, respond_by: null });
      return null;
    },
    statements_list: () => STATEMENTS,
    statement_show: () => statementView(),
    statement_import: () => importAnswer("imported"),
    statement_export: () => 6,
    statement_repair_order: () => statementView(),
    payouts_list: () => PAYOUTS,
    payout_add: () => payout({ id: 3 }),
    payout_import: () => bankAnswer(),
    settlement_month: (a) => monthSummary(String(a.month)),
    demo_traffic: (a) => {
      demo = { ...demo, running: Boolean(a.running) };
      return demo;
    },
  };

  mockIPC(
    (cmd, args) => {
      const handler = handlers[cmd];
      if (!handler) return refuse("ipc_failed", `the fake shell has no ${cmd}`);
      return handler((args ?? {}) as Record<string, unknown>);
    },
    { shouldMockEvents: true },
  );
  // Live updates: an order changes every few seconds, like demo traffic would.
  setInterval(() => void emit("order-changed", { order_id: orderId(Math.floor(Math.random() * 50)), status: "fully_captured" }), 4000);
}
