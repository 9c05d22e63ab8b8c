import { fireEvent, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { sampleDetail, syntheticOrder } from "../ipc/mock/fixtures";
import { callsTo, renderApp, scriptShell } from "../test/harness";

const paletteInput = async () => (await screen.findByTestId("command-palette")).querySelector("input") as HTMLInputElement;

describe("command palette on cmdk", () => {
  it("finds an order by its reference through the orders search and opens it by id", async () => {
    const user = userEvent.setup({ delay: null });
    const row = { ...syntheticOrder(46), reference: "DEMO-000046", total: "1200.00", currency: "SAR" };
    const calls = scriptShell({
      orders_page: (a) => {
        const q = a.query as { text?: string };
        return { rows: q.text === "DEMO-000046" ? [row] : [], total: q.text === "DEMO-000046" ? 1 : 0, total_capped: false, arrival_mark: 0 };
      },
      order_detail: () => sampleDetail(),
    });
    renderApp("#/orders");
    await screen.findByTestId("env-badge");
    fireEvent.keyDown(window, { key: "k", ctrlKey: true });
    await user.type(await paletteInput(), "DEMO-000046");
    const hit = await screen.findByTestId(`palette-order-${row.order_id}`);
    expect(hit).toHaveTextContent("Open order DEMO-000046");
    expect(hit).toHaveTextContent("1,200.00 SAR");
    // The exact match replaces the blind "go to".
    expect(screen.queryByText("Go to order DEMO-000046")).toBeNull();
    expect(callsTo(calls, "orders_page").some((c) => (c.args.query as { text?: string }).text === "DEMO-000046")).toBe(true);
    await user.keyboard("{Enter}");
    await waitFor(() => expect(window.location.hash).toBe(`#/orders/${row.order_id}`));
    expect(screen.queryByTestId("command-palette")).toBeNull();
  });

  it("offers only the moves the open order allows", async () => {
    const user = userEvent.setup({ delay: null });
    scriptShell({
      orders_page: () => ({ rows: [], total: 0, total_capped: false, arrival_mark: 0 }),
      order_detail: () => sampleDetail({ allowed: { authorise: false, capture: false, refund: false, cancel: true } }),
      move_preview: () => new Promise(() => undefined),
    });
    renderApp("#/orders/MZ-100000");
    await screen.findByTestId("order-detail");
    fireEvent.keyDown(window, { key: "k", ctrlKey: true });
    await user.type(await paletteInput(), "this order");
    expect(screen.getByText("Cancel this order…")).toBeInTheDocument();
    expect(screen.queryByText("Capture this order…")).toBeNull();
    expect(screen.queryByText("Refund this order…")).toBeNull();
    await user.keyboard("{Enter}");
    expect(await screen.findByTestId("move-dialog")).toHaveTextContent("Cancel");
  });

  it("moves with the arrow keys, switches the language and closes on Escape", async () => {
    const user = userEvent.setup({ delay: null });
    scriptShell({ orders_page: () => ({ rows: [], total: 0, total_capped: false, arrival_mark: 0 }) });
    renderApp("#/orders");
    await screen.findByTestId("env-badge");
    fireEvent.keyDown(window, { key: "k", ctrlKey: true });
    await user.type(await paletteInput(), "language");
    expect(screen.getByTestId("palette-language")).toHaveAttribute("aria-selected", "true");
    await user.keyboard("{Enter}");
    await waitFor(() => expect(document.documentElement.dir).toBe("rtl"));
    fireEvent.keyDown(window, { key: "k", ctrlKey: true });
    await paletteInput();
    await user.keyboard("{ArrowDown}");
    expect(screen.getAllByRole("option")[1]).toHaveAttribute("aria-selected", "true");
    await user.keyboard("{Escape}");
    expect(screen.queryByTestId("command-palette")).toBeNull();
  });
});
