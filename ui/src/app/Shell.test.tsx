import { fireEvent, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { DEMO_INFO, PRODUCTION_INFO, SANDBOX_INFO } from "../ipc/mock/fixtures";
import { callsTo, refusal, renderApp, scriptShell } from "../test/harness";

const noOrders = { orders_page: () => ({ rows: [], total: 0, total_capped: false }) };

describe("window chrome", () => {
  it("frames production in red and says PRODUCTION in the badge and the title", async () => {
    scriptShell({ ...noOrders, app_info: () => PRODUCTION_INFO });
    renderApp();
    const badge = await screen.findByTestId("env-badge");
    expect(badge).toHaveTextContent(/^PRODUCTION$/);
    expect(await screen.findByTestId("app-ready")).toHaveClass("production");
    expect(document.title).toBe("Mizan — PRODUCTION");
    expect(screen.queryByTestId("demo-banner")).toBeNull();
  });

  it("keeps sandbox unframed", async () => {
    scriptShell({ ...noOrders, app_info: () => SANDBOX_INFO });
    renderApp();
    expect(await screen.findByTestId("env-badge")).toHaveTextContent(/^SANDBOX$/);
    await waitFor(() => expect(screen.getByTestId("app-ready")).not.toHaveClass("production"));
  });

  it("labels the demo and switches its traffic generator", async () => {
    const user = userEvent.setup({ delay: null });
    const calls = scriptShell({ ...noOrders, app_info: () => DEMO_INFO, demo_traffic: (a) => ({ running: a.running, orders_created: 12 }) });
    renderApp();
    expect(await screen.findByTestId("env-badge")).toHaveTextContent(/^DEMO$/);
    const toggle = screen.getByTestId("demo-traffic-toggle");
    expect(screen.getByTestId("demo-banner")).toHaveTextContent("built-in simulator");
    expect(toggle).toBeChecked();
    await user.click(toggle);
    await waitFor(() => expect(toggle).not.toBeChecked());
    expect(callsTo(calls, "demo_traffic")[0]?.args).toEqual({ running: false });
    await user.click(toggle);
    await waitFor(() => expect(toggle).toBeChecked());
    expect(callsTo(calls, "demo_traffic")[1]?.args).toEqual({ running: true });
  });

  it("marks app-ready only once the first screen has data", async () => {
    let answer: (v: unknown) => void = () => undefined;
    scriptShell({ orders_page: () => new Promise((r) => (answer = r)) });
    renderApp();
    await screen.findByTestId("env-badge");
    expect(screen.queryByTestId("app-ready")).toBeNull();
    expect(screen.getByTestId("app-loading")).toBeInTheDocument();
    answer({ rows: [], total: 0, total_capped: false });
    expect(await screen.findByTestId("app-ready")).toBeInTheDocument();
  });

  it("says why when the shell cannot start", async () => {
    scriptShell({ app_info: () => refusal("data_dir_unavailable", "Cannot create /nope/mizan: permission denied") });
    renderApp();
    const error = await screen.findByTestId("error-state");
    expect(error).toHaveAttribute("data-code", "data_dir_unavailable");
    expect(error).toHaveTextContent("permission denied");
    expect(screen.getByTestId("app-ready")).toBeInTheDocument();
  });
});

describe("language", () => {
  it("switches to Arabic right-to-left and back", async () => {
    const user = userEvent.setup({ delay: null });
    const calls = scriptShell(noOrders);
    renderApp();
    await screen.findByTestId("env-badge");
    expect(document.documentElement).toHaveAttribute("dir", "ltr");
    expect(screen.getByTestId("nav-orders")).toHaveTextContent("Orders");
    await user.click(screen.getByTestId("lang-toggle"));
    await waitFor(() => expect(document.documentElement).toHaveAttribute("dir", "rtl"));
    expect(document.documentElement).toHaveAttribute("lang", "ar");
    expect(screen.getByTestId("nav-orders")).toHaveTextContent("الطلبات");
    expect(screen.getByTestId("nav-settings")).toHaveTextContent("الإعدادات");
    // The badge is a fixed code in both languages (tests and screenshots rely on it).
    expect(screen.getByTestId("env-badge")).toHaveTextContent("SANDBOX");
    expect(localStorage.getItem("mizan.lang")).toBe("ar");
    expect(callsTo(calls, "locale_save").map((c) => c.args)).toEqual([{ locale: "ar" }]);
    await user.click(screen.getByTestId("lang-toggle"));
    await waitFor(() => expect(document.documentElement).toHaveAttribute("dir", "ltr"));
    expect(document.documentElement).toHaveAttribute("lang", "en");
  });

  it("starts in the language the shell remembers", async () => {
    scriptShell({ ...noOrders, app_info: () => ({ ...SANDBOX_INFO, locale: "ar" }) });
    renderApp();
    await waitFor(() => expect(document.documentElement).toHaveAttribute("dir", "rtl"));
  });
});

describe("keyboard", () => {
  it("opens the command palette with Ctrl+K and runs a command", async () => {
    const user = userEvent.setup({ delay: null });
    scriptShell({ ...noOrders, webhooks_list: () => [], deliveries_page: () => [] });
    renderApp();
    await screen.findByTestId("env-badge");
    fireEvent.keyDown(window, { key: "k", ctrlKey: true });
    const palette = await screen.findByTestId("command-palette");
    await user.type(palette.querySelector("input") as HTMLInputElement, "webhooks{Enter}");
    await waitFor(() => expect(window.location.hash).toBe("#/webhooks"));
    expect(screen.queryByTestId("command-palette")).toBeNull();
    fireEvent.keyDown(window, { key: "6", altKey: true });
    await waitFor(() => expect(window.location.hash).toBe("#/settings"));
  });

  it("does not take letter shortcuts while the operator types", async () => {
    scriptShell(noOrders);
    renderApp();
    const search = await screen.findByTestId("filter-text");
    search.focus();
    fireEvent.keyDown(search, { key: "/" });
    expect(window.location.hash).toBe("#/orders");
    fireEvent.keyDown(document.body, { key: "/" });
    await waitFor(() => expect(document.activeElement).toBe(screen.getByTestId("filter-text")));
  });
});

describe("a screen that breaks", () => {
  it("keeps the window usable and says so", async () => {
    // A shape the screen does not expect (a shell/UI mismatch) makes it throw while rendering;
    // React reports the throw on the console, which is expected here.
    vi.spyOn(console, "error").mockImplementation(() => undefined);
    scriptShell({ ...noOrders, dashboard: () => ({ volume: null }) });
    renderApp("#/dashboard");
    const error = await screen.findByTestId("error-state");
    expect(error).toHaveAttribute("data-code", "ui_crashed");
    expect(screen.getByTestId("env-badge")).toBeInTheDocument();
    expect(screen.getByTestId("nav-orders")).toBeInTheDocument();
  });
});
