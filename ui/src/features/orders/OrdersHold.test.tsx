// Rows never move under the operator: while the pointer or focus is in the list (or it is
// scrolled), new orders wait behind a bar; otherwise they appear on top at once.
import { fireEvent, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it } from "vitest";
import type { OrderRow, OrdersQuery } from "../../ipc";
import { syntheticOrder } from "../../ipc/mock/fixtures";
import { giveViewport, push, renderApp, scriptShell } from "../../test/harness";
import { newer, pinned } from "./useHeldList";
import { toFilter, EMPTY_INPUTS } from "./filters";

/** A cache that grows: order `i` was created `i` seconds after the first (or earlier, when it
 *  arrives late); its arrival mark is its place in the cache. */
function growingCache() {
  const orders: { row: OrderRow; mark: number }[] = [];
  const add = (createdSecond?: number) => {
    const i = orders.length;
    const row = { ...syntheticOrder(i), reference: `DEMO-${String(i).padStart(6, "0")}`, created_at: new Date(Date.UTC(2026, 11, 7, 12, 0, createdSecond ?? i)).toISOString() };
    orders.push({ row, mark: i + 1 });
  };
  for (let i = 0; i < 40; i++) add();
  scriptShell({
    orders_page: (a) => {
      const q = a.query as Required<OrdersQuery>;
      const mark = q.arrived_upto ?? orders.length;
      const hits = orders
        .filter((o) => o.mark <= mark && (q.arrived_after == null || o.mark > q.arrived_after))
        .map((o) => o.row)
        .sort((x, y) => y.created_at.localeCompare(x.created_at));
      return { rows: hits.slice(q.offset, q.offset + q.limit), total: hits.length, total_capped: false, arrival_mark: mark };
    },
  });
  return { add };
}

const firstRowId = () => screen.getAllByTestId("order-row")[0]?.getAttribute("data-order-id");
const rowTop = (id: string) => (document.querySelector(`[data-testid="order-row"][data-order-id="${id}"]`) as HTMLElement | null)?.style.transform;

describe("the list holds still", () => {
  beforeEach(() => giveViewport(600));

  it("pins at the arrival mark of the first answer and counts later arrivals apart", () => {
    const f = toFilter(EMPTY_INPUTS);
    expect(pinned(f, 40)).toEqual({ ...f, arrived_upto: 40 });
    expect(newer(f, 40)).toEqual({ ...f, arrived_after: 40 });
    expect(pinned(f, null)).toBe(f);
  });

  it("keeps every row in place while the pointer is over the list, then shows the new ones on demand", async () => {
    const user = userEvent.setup({ delay: null });
    const cache = growingCache();
    renderApp();
    await screen.findAllByTestId("order-row");
    expect(firstRowId()).toBe(syntheticOrder(39).order_id);
    const target = syntheticOrder(30).order_id;
    const before = rowTop(target);
    fireEvent.pointerEnter(screen.getByTestId("orders-table"));
    await waitFor(() => expect(screen.getByTestId("orders-table")).toHaveAttribute("data-held", "true"));

    cache.add();
    // Created before the hovered row, cached only now (a late webhook): it waits too.
    cache.add(5);
    await push("order-changed", { order_id: syntheticOrder(41).order_id, status: "new" });
    const bar = await screen.findByTestId("new-orders");
    expect(bar).toHaveTextContent("2 new orders — show them");
    expect(firstRowId()).toBe(syntheticOrder(39).order_id);
    expect(rowTop(target)).toBe(before);
    expect(screen.getByTestId("orders-total")).toHaveAttribute("data-total", "40");

    // A click lands on the order that was drawn under the pointer.
    await user.click(document.querySelector(`[data-order-id="${target}"]`) as HTMLElement);
    expect(window.location.hash).toBe(`#/orders/${target}`);
  });

  it("shows the waiting orders when asked, and new orders at once when nobody holds the list", async () => {
    const user = userEvent.setup({ delay: null });
    const cache = growingCache();
    renderApp();
    await screen.findAllByTestId("order-row");
    const table = screen.getByTestId("orders-table");
    fireEvent.pointerEnter(table);
    cache.add();
    await push("order-changed", { order_id: syntheticOrder(40).order_id, status: "new" });
    fireEvent.pointerLeave(table);
    // Let go: the pin moves and the new order is on top, no bar.
    await waitFor(() => expect(firstRowId()).toBe(syntheticOrder(40).order_id));
    expect(screen.queryByTestId("new-orders")).toBeNull();

    fireEvent.focus(screen.getAllByTestId("order-row")[0] as HTMLElement);
    cache.add();
    await push("order-changed", { order_id: syntheticOrder(41).order_id, status: "new" });
    await user.click(await screen.findByTestId("new-orders"));
    await waitFor(() => expect(firstRowId()).toBe(syntheticOrder(41).order_id));
    expect(screen.getByTestId("orders-total")).toHaveAttribute("data-total", "42");
  });
});
