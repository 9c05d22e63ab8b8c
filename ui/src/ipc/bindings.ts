// TEMPORARY, hand-written in tauri-specta's shape from the issue-5 contract, until the shell's
// generated file lands on `app-shell` (that file wins; the UI adapts to it).

/** user-defined commands **/

export const commands = {
  async appInfo(): Promise<Result<AppInfo, IpcError>> {
    return __call__("app_info", {});
  },
  async switchEnvironment(environment: Environment, confirmText: string): Promise<Result<AppInfo, IpcError>> {
    return __call__("switch_environment", { environment, confirmText });
  },
  async ordersPage(query: OrdersQuery): Promise<Result<OrdersPage, IpcError>> {
    return __call__("orders_page", { query });
  },
  async attentionQueue(): Promise<Result<AttentionItem[], IpcError>> {
    return __call__("attention_queue", {});
  },
  async savedViews(): Promise<Result<SavedView[], IpcError>> {
    return __call__("saved_views", {});
  },
  async saveView(name: string, query: OrdersQuery): Promise<Result<null, IpcError>> {
    return __call__("save_view", { name, query });
  },
  async deleteView(name: string): Promise<Result<null, IpcError>> {
    return __call__("delete_view", { name });
  },
  async orderDetail(orderId: string): Promise<Result<OrderDetail, IpcError>> {
    return __call__("order_detail", { orderId });
  },
  async orderRefresh(orderId: string): Promise<Result<OrderDetail, IpcError>> {
    return __call__("order_refresh", { orderId });
  },
  async movePreview(input: MoveInput): Promise<Result<MovePreview, IpcError>> {
    return __call__("move_preview", { input });
  },
  async moveExecute(input: MoveInput, confirmText: string | null): Promise<Result<MoveResult, IpcError>> {
    return __call__("move_execute", { input, confirmText });
  },
  async webhooksList(): Promise<Result<WebhookRegistration[], IpcError>> {
    return __call__("webhooks_list", {});
  },
  async webhookRegister(url: string, events: string[], headers: Partial<{ [key in string]: string }>): Promise<Result<WebhookRegistration, IpcError>> {
    return __call__("webhook_register", { url, events, headers });
  },
  async webhookUpdate(id: string, url: string, events: string[]): Promise<Result<WebhookRegistration, IpcError>> {
    return __call__("webhook_update", { id, url, events });
  },
  async webhookDelete(id: string): Promise<Result<null, IpcError>> {
    return __call__("webhook_delete", { id });
  },
  async deliveriesPage(filter: DeliveryFilter): Promise<Result<DeliveryRow[], IpcError>> {
    return __call__("deliveries_page", { filter });
  },
  async deliveryDetail(id: number): Promise<Result<DeliveryDetail, IpcError>> {
    return __call__("delivery_detail", { id });
  },
  async deliveryReplay(id: number): Promise<Result<ReplayResult, IpcError>> {
    return __call__("delivery_replay", { id });
  },
  async tokenCheck(input: string): Promise<Result<TokenCheck, IpcError>> {
    return __call__("token_check", { input });
  },
  async webhookSelfTest(url: string | null): Promise<Result<SelfTestReport, IpcError>> {
    return __call__("webhook_self_test", { url });
  },
  async exportRun(kind: ExportKind, path: string, from: string | null, to: string | null, timezone: string): Promise<Result<ExportResult, IpcError>> {
    return __call__("export_run", { kind, path, from, to, timezone });
  },
  async checklist(): Promise<Result<ChecklistItem[], IpcError>> {
    return __call__("checklist", {});
  },
  async checklistMark(id: string, note: string): Promise<Result<null, IpcError>> {
    return __call__("checklist_mark", { id, note });
  },
  async checklistRehearse(): Promise<Result<RehearsalReport, IpcError>> {
    return __call__("checklist_rehearse", {});
  },
  async checklistReport(path: string, format: ReportFormat): Promise<Result<string, IpcError>> {
    return __call__("checklist_report", { path, format });
  },
  async dashboard(days: number): Promise<Result<Dashboard, IpcError>> {
    return __call__("dashboard", { days });
  },
  async settings(): Promise<Result<Settings, IpcError>> {
    return __call__("settings", {});
  },
  async settingsSave(settings: Settings): Promise<Result<Settings, IpcError>> {
    return __call__("settings_save", { settings });
  },
  async credentialsStatus(): Promise<Result<CredentialStatus[], IpcError>> {
    return __call__("credentials_status", {});
  },
  async credentialsSet(environment: Environment, kind: CredentialKind, value: string): Promise<Result<null, IpcError>> {
    return __call__("credentials_set", { environment, kind, value });
  },
  async credentialsTest(environment: Environment): Promise<Result<CredentialsTest, IpcError>> {
    return __call__("credentials_test", { environment });
  },
  async demoTraffic(running: boolean): Promise<Result<DemoState, IpcError>> {
    return __call__("demo_traffic", { running });
  },
};

/** user-defined events **/

export const events = __makeEvents__<{
  deliveryReceived: DeliveryReceived;
  orderChanged: OrderChanged;
  healthChanged: HealthChanged;
  exportProgress: ExportProgress;
  rehearsalProgress: RehearsalProgress;
}>({
  deliveryReceived: "delivery-received",
  orderChanged: "order-changed",
  healthChanged: "health-changed",
  exportProgress: "export-progress",
  rehearsalProgress: "rehearsal-progress",
});

/** user-defined types **/

export type Environment = "sandbox" | "production";
export type IpcError = { code: string; message: string };
export type AppInfo = {
  environment: Environment;
  demo: boolean;
  version: string;
  data_dir: string;
  operator: string;
  receiver_url: string;
  public_url: string | null;
  locale: string | null;
};
export type OrdersQuery = {
  statuses: string[];
  currency: string | null;
  reference: string | null;
  text: string | null;
  created_from: string | null;
  created_to: string | null;
  amount_min: string | null;
  amount_max: string | null;
  offset: number;
  limit: number;
};
export type OrderRow = {
  order_id: string;
  reference: string;
  status: string;
  currency: string;
  total: string;
  captured: string;
  refunded: string;
  created_at: string;
  customer: string | null;
};
export type OrdersPage = { rows: OrderRow[]; total: number; total_capped: boolean };
export type AttentionReason = "approved_not_authorised" | "authorised_not_captured" | "auto_authorise_failed" | "mismatch";
export type AttentionItem = { order_id: string; reference: string; reason: AttentionReason; deadline: string | null; detail: string };
export type SavedView = { name: string; query: OrdersQuery };
export type OrderAmounts = {
  authorised: string;
  captured: string;
  refunded: string;
  canceled: string;
  capturable: string;
  refundable: string;
  cancelable: string;
};
export type OrderItem = { reference_id: string; sku: string | null; name: string; quantity: number; total_amount: string };
export type TimelineKind = "api_call" | "webhook" | "status" | "move" | "audit";
export type TimelineEntry = { at: string; kind: TimelineKind; title: string; detail: string; payload: string | null };
export type AllowedMoves = { authorise: boolean; capture: boolean; refund: boolean; cancel: boolean };
export type OrderDetail = {
  order: OrderRow;
  amounts: OrderAmounts;
  items: OrderItem[];
  timeline: TimelineEntry[];
  raw_order: string | null;
  allowed: AllowedMoves;
};
export type MoveKind = "authorise" | "capture" | "refund" | "cancel";
export type MoveItem = { reference_id: string; quantity: number };
export type MoveInput = { kind: MoveKind; order_id: string; amount: string | null; items: MoveItem[] | null; comment: string | null };
export type MovePreview = { method: string; url: string; body: string; environment: Environment; needs_confirmation: boolean; confirm_hint: string };
export type MoveResult = { outcome: string; detail: string; order: OrderDetail };
export type WebhookRegistration = { id: string; url: string; events: string[] };
export type DeliveryFilter = { order_id: string | null; verdict: string | null; before_id: number | null; limit: number };
export type DeliveryVerdict = "verified" | "rejected" | "invalid_body";
export type ProcessingState = "pending" | "processed" | "failed" | "skipped";
export type DeliveryRow = {
  id: number;
  received_at: string;
  order_id: string | null;
  event_type: string | null;
  verdict: DeliveryVerdict;
  reason: string | null;
  http_status: number;
  processing_state: ProcessingState;
};
export type DeliveryDetail = {
  row: DeliveryRow;
  method: string;
  path: string;
  query: string | null;
  headers_json: string;
  body: string;
  processing_result: string | null;
  attempts: number;
};
export type ReplayResult = { outcome: string; detail: string };
export type CheckResult = { name: string; ok: boolean; detail: string };
export type TokenCheck = { ok: boolean; checks: CheckResult[] };
export type Finding = { code: string; ok: boolean; detail: string };
export type SelfTestReport = { ok: boolean; findings: Finding[] };
export type ExportKind = "settlement" | "audit" | "orders";
export type ExportResult = { export_id: string; rows: number; path: string };
export type ChecklistItem = { id: string; title: string; kind: "automatic" | "manual"; done: boolean; evidence: string | null; note: string | null };
export type RehearsalStep = { step: string; ok: boolean; detail: string };
export type RehearsalReport = { ok: boolean; steps: RehearsalStep[] };
export type ReportFormat = "md" | "html";
export type VolumeDay = { day: string; currency: string; captured: string; refunded: string };
export type WebhookHealth = { received: number; rejected: number; failed: number };
export type Dashboard = {
  volume: VolumeDay[];
  webhooks: WebhookHealth;
  breaker: string;
  backlog: number;
  reconciler_last_run: string | null;
  reconciler_late: boolean;
};
export type Settings = {
  receiver_port: number;
  public_url: string | null;
  auto_authorise: boolean;
  reconcile_every_secs: number;
  operator: string;
};
export type SecretStatus = { set: boolean; last4: string | null };
export type CredentialKind = "api_token" | "notification_token" | "public_key";
export type CredentialStatus = { environment: Environment; api_token: SecretStatus; notification_token: SecretStatus; public_key: SecretStatus };
export type CredentialsTest = { ok: boolean; detail: string };
export type DemoState = { running: boolean; orders_created: number };
export type DeliveryReceived = { delivery_id: number; order_id: string | null; event_type: string | null; verdict: DeliveryVerdict };
export type OrderChanged = { order_id: string; status: string };
export type HealthChanged = { receiver: string; breaker: string; backlog: number; reconciler_last_run: string | null; reconciler_late: boolean };
export type ExportProgress = { export_id: string; rows: number; done: boolean };
export type RehearsalProgress = { step: string; ok: boolean; detail: string };

/** tauri-specta globals **/

import { invoke as TAURI_INVOKE } from "@tauri-apps/api/core";
import * as TAURI_API_EVENT from "@tauri-apps/api/event";

type __EventObj__<T> = {
  listen: (cb: TAURI_API_EVENT.EventCallback<T>) => ReturnType<typeof TAURI_API_EVENT.listen<T>>;
  once: (cb: TAURI_API_EVENT.EventCallback<T>) => ReturnType<typeof TAURI_API_EVENT.once<T>>;
  emit: null extends T ? (payload?: T) => ReturnType<typeof TAURI_API_EVENT.emit> : (payload: T) => ReturnType<typeof TAURI_API_EVENT.emit>;
};

export type Result<T, E> = { status: "ok"; data: T } | { status: "error"; error: E };

async function __call__<T>(cmd: string, args: Record<string, unknown>): Promise<Result<T, IpcError>> {
  try {
    return { status: "ok", data: await TAURI_INVOKE(cmd, args) };
  } catch (e) {
    if (e instanceof Error) throw e;
    else return { status: "error", error: e as IpcError };
  }
}

function __makeEvents__<T extends Record<string, unknown>>(mappings: Record<keyof T, string>) {
  return new Proxy({} as unknown as { [K in keyof T]: __EventObj__<T[K]> }, {
    get: (_, event) => {
      const name = mappings[event as keyof T];
      return {
        listen: (arg: TAURI_API_EVENT.EventCallback<unknown>) => TAURI_API_EVENT.listen(name, arg),
        once: (arg: TAURI_API_EVENT.EventCallback<unknown>) => TAURI_API_EVENT.once(name, arg),
        emit: (arg: unknown) => TAURI_API_EVENT.emit(name, arg),
      };
    },
  });
}
