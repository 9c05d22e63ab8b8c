// Component-test harness: the real app (or a screen) rendered against a scripted shell through
// Tauri's own IPC mock, so every call crosses the same `invoke` path as in the app.
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { emit } from "@tauri-apps/api/event";
import { render, type RenderResult } from "@testing-library/react";
import { Profiler } from "react";
import { App, makeQueryClient } from "../App";
import i18n from "../i18n";
import { ORDER_EVENTS, SANDBOX_INFO } from "../ipc/mock/fixtures";

export type Call = { cmd: string; args: Record<string, unknown> };
export type Handlers = Record<string, (args: Record<string, unknown>) => unknown>;

/** A refusal as the shell sends it (`IpcError`), for handlers to return. */
export function refusal(code: string, message: string): Promise<never> {
  return Promise.reject({ code, message });
}

/** Answers commands from `handlers` (app_info defaults to sandbox) and records every call. */
export function scriptShell(handlers: Handlers): Call[] {
  const calls: Call[] = [];
  const all: Handlers = { app_info: () => SANDBOX_INFO, attention_queue: () => [], saved_views: () => [], locale_save: () => null, webhook_events: () => ORDER_EVENTS, ...handlers };
  mockIPC(
    (cmd, args) => {
      if (cmd.startsWith("plugin:window|")) return null;
      calls.push({ cmd, args: (args ?? {}) as Record<string, unknown> });
      const handler = all[cmd];
      if (!handler) return refusal("unscripted", `the test did not script ${cmd}`);
      return handler((args ?? {}) as Record<string, unknown>);
    },
    { shouldMockEvents: true },
  );
  return calls;
}

export function callsTo(calls: Call[], cmd: string): Call[] {
  return calls.filter((c) => c.cmd === cmd);
}

/** Renders the app at `hash`; `onCommit` hears every React commit (to catch render loops). */
export function renderApp(hash = "#/orders", onCommit?: () => void): RenderResult {
  window.location.hash = hash;
  const app = <App client={makeQueryClient()} />;
  return render(onCommit ? <Profiler id="app" onRender={onCommit}>{app}</Profiler> : app);
}

/** Pushes an event the way the shell does. */
export function push(event: string, payload: unknown): Promise<void> {
  return emit(event, payload);
}

/** jsdom lays nothing out: give scroll containers a viewport so the row window has rows to show. */
export function giveViewport(height = 600): void {
  Object.defineProperty(HTMLElement.prototype, "clientHeight", {
    configurable: true,
    get() {
      return (this as HTMLElement).classList.contains("orders-scroll") ? height : 0;
    },
  });
  Object.defineProperty(HTMLElement.prototype, "clientWidth", {
    configurable: true,
    get() {
      return (this as HTMLElement).classList.contains("orders-scroll") ? 1000 : 0;
    },
  });
}

export function resetAll(): void {
  clearMocks();
  sessionStorage.clear();
  localStorage.clear();
  void i18n.changeLanguage("en");
  window.location.hash = "";
}
