import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it } from "vitest";
import type { OrdersQuery } from "../../ipc";
import { syntheticOrder } from "../../ipc/mock/fixtures";
import { callsTo, giveViewport, push, refusal, renderApp, scriptShell, type Call } from "../../test/harness";
import { ROW_HEIGHT } from "./OrdersTable";

const MILLION = 1_000_000;

/** A cache of 1,000,000 orders: every page is generated from its offset. */
function millionOrders(): Call[] {
  return scriptShell({
    orders_page: (a) => {
      const q = a.query as Required<OrdersQuery>;
      const rows = [];
      for (let i = q.offset; i < Math.min(q.offset + q.limit, MILLION); i++) rows.push(syntheticOrder(i));
      return { rows, total: MILLION, total_capped: false, arrival_mark: MILLION };
    },
  });
}

/** The list's page requests (the one-row probe for newer orders is counted apart). */
const queries = (calls: Call[]) =>
  callsTo(calls, "orders_page")
    .map((c) => c.args.query as Required<OrdersQuery>)
    .filter((q) => q.limit !== 1);

/** Ticks `statuses` in the status filter's checkbox group, then closes it with Escape. */
async function pickStatuses(user: ReturnType<typeof userEvent.setup>, ...statuses: string[]) {
  await user.click(screen.getByTestId("filter-status"));
  for (const s of statuses) await user.click(screen.getByTestId(`filter-status-${s}`));
  await user.keyboard("{Escape}");
  expect(screen.queryByTestId("filter-status-panel")).toBeNull();
  expect(screen.getByTestId("filter-status")).toHaveFocus();
}

describe("orders table", () => {
  beforeEach(() => giveViewport(600));

  it("renders only a window of rows for 1,000,000 orders and fetches only the pages in view", async () => {
    const calls = millionOrders();
    renderApp();
    await screen.findAllByTestId("order-row");
    expect(screen.getByTestId("orders-total")).toHaveAttribute("data-total", String(MILLION));
    expect(screen.getByTestId("orders-total")).toHaveTextContent("1,000,000 orders");
    const table = screen.getByTestId("orders-table");
    expect(table).toHaveAttribute("aria-rowcount", String(MILLION));
    const rows = screen.getAllByTestId("order-row");
    // 600 px of viewport at 30 px a row, plus overscan: tens of rows, not a million.
    expect(rows.length).toBeGreaterThanOrEqual(600 / ROW_HEIGHT);
    expect(rows.length).toBeLessThan(60);
    expect(rows[0]).toHaveAttribute("data-order-id", syntheticOrder(0).order_id);
    expect(queries(calls).map((q) => q.offset)).toEqual([0]);
    // A name keeps its own direction (and so its first letters) in an Arabic table.
    const name = screen.getAllByTestId("customer-name")[0];
    expect(name).toHaveAttribute("dir", "auto");
    expect(name?.textContent).toBe(name?.getAttribute("title"));

    // Jump to the middle: the rows there appear, fetched by their own offset only.
    table.scrollTop = 500_000 * ROW_HEIGHT;
    fireEvent.scroll(table);
    await waitFor(() => expect(document.querySelector(`[data-order-id="${syntheticOrder(500_000).order_id}"]`)).not.toBeNull());
    const offsets = queries(calls).map((q) => q.offset);
    expect(offsets).toContain(500_000);
    expect(offsets.every((o) => o === 0 || (o >= 499_800 && o <= 500_100))).toBe(true);
    expect(screen.getAllByTestId("order-row").length).toBeLessThan(60);
    const shown = screen.getAllByTestId("order-row").map((r) => Number(r.getAttribute("data-index")));
    expect(Math.min(...shown)).toBeGreaterThan(499_980);
  });

  it("keeps the pages seen last and fetches an older one again when the list scrolls back to it", async () => {
    const calls = millionOrders();
    renderApp();
    await screen.findAllByTestId("order-row");
    const table = screen.getByTestId("orders-table");
    const scrollTo = async (index: number) => {
      table.scrollTop = index * ROW_HEIGHT;
      fireEvent.scroll(table);
      await waitFor(() => expect(document.querySelector(`[data-order-id="${syntheticOrder(index).order_id}"]`)).not.toBeNull());
    };
    const fetchesOf = (offset: number) => queries(calls).filter((q) => q.offset === offset).length;
    // Six pages in turn, each in the middle of its page so only that page is in view.
    for (const index of [1_050, 2_050, 3_050, 4_050, 5_050, 6_050]) await scrollTo(index);
    expect([1_000, 2_000, 3_000, 4_000, 5_000, 6_000].map(fetchesOf)).toEqual([1, 1, 1, 1, 1, 1]);
    // One of the four seen last: drawn from the cache, not asked for again.
    await scrollTo(3_050);
    expect(fetchesOf(3_000)).toBe(1);
    // The oldest fell out of the cache: asked for once more, and its rows are the right ones.
    await scrollTo(1_050);
    expect(fetchesOf(1_000)).toBe(2);
  });

  it("comes to rest once the rows are shown (no render loop)", async () => {
    // The table once re-rendered forever: every render gave react-table a new `data` array and
    // its default auto-reset answered each new row model with a state change. In WebKit that
    // froze the window; here it shows as commits that never stop.
    millionOrders();
    let commits = 0;
    renderApp("#/orders", () => commits++);
    await screen.findAllByTestId("order-row");
    // Quiet for 300 ms (the list pins itself and probes for newer orders once after the first
    // answer; on a busy machine that can take longer than one window).
    for (let last = -1, i = 0; i < 10 && commits !== last; i++) {
      last = commits;
      await new Promise((r) => setTimeout(r, 300));
    }
    const settled = commits;
    await new Promise((r) => setTimeout(r, 300));
    expect(commits - settled).toBe(0);
    expect(settled).toBeLessThan(30);
  });

  it("fetches the list's first page at start, so opening Orders from elsewhere draws rows without asking again", async () => {
    const calls = millionOrders();
    renderApp("#/exports");
    await waitFor(() => expect(queries(calls).map((q) => q.offset)).toEqual([0]));
    expect(screen.queryByTestId("orders-table")).toBeNull();
    window.location.hash = "#/orders";
    await screen.findAllByTestId("order-row");
    expect(queries(calls)).toHaveLength(1);
  });

  it("sends each filter as the query the shell expects, amounts as strings", async () => {
    const user = userEvent.setup({ delay: null });
    const calls = millionOrders();
    renderApp();
    await screen.findAllByTestId("order-row");

    await pickStatuses(user, "approved");
    await waitFor(() => expect(queries(calls).at(-1)?.statuses).toEqual(["approved"]));
    expect(queries(calls).at(-1)).toMatchObject({ offset: 0, limit: 100 });

    await user.selectOptions(screen.getByTestId("filter-currency"), "KWD");
    await waitFor(() => expect(queries(calls).at(-1)?.currency).toBe("KWD"));

    await user.type(screen.getByTestId("filter-reference"), "MZ-1001{Enter}");
    await waitFor(() => expect(queries(calls).at(-1)?.reference).toBe("MZ-1001"));

    await user.type(screen.getByTestId("filter-text"), "layla");
    await waitFor(() => expect(queries(calls).at(-1)?.text).toBe("layla"));

    // Arabic-Indic digits and the Arabic decimal separator become a plain decimal string.
    await user.type(screen.getByTestId("filter-amount-min"), "١٠٠٫٥{Enter}");
    await waitFor(() => expect(queries(calls).at(-1)?.amount_min).toBe("100.5"));
    await user.click(screen.getByTestId("filter-amount-max"));
    await user.paste("12345678901234567.125");
    await user.keyboard("{Enter}");
    await waitFor(() => expect(queries(calls).at(-1)?.amount_max).toBe("12345678901234567.125"));

    fireEvent.change(screen.getByTestId("filter-from"), { target: { value: "2025-03-01" } });
    await waitFor(() => expect(queries(calls).at(-1)?.created_from).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/));

    expect(queries(calls).at(-1)).toMatchObject({
      statuses: ["approved"],
      currency: "KWD",
      reference: "MZ-1001",
      text: "layla",
      amount_min: "100.5",
      amount_max: "12345678901234567.125",
      created_to: null,
      rehearsal: false,
    });

    // A malformed bound is flagged and not sent.
    await user.clear(screen.getByTestId("filter-amount-max"));
    await user.type(screen.getByTestId("filter-amount-max"), "12,5.x{Enter}");
    expect(await screen.findByText(/plain numbers/)).toBeInTheDocument();
    await waitFor(() => expect(queries(calls).at(-1)?.amount_max).toBeNull());
  });

  it("says what to do when nothing matches, and clears the filters", async () => {
    const user = userEvent.setup({ delay: null });
    const calls = scriptShell({
      orders_page: (a) => {
        const q = a.query as Required<OrdersQuery>;
        return q.statuses.length ? { rows: [], total: 0, total_capped: false } : { rows: [syntheticOrder(0)], total: 1, total_capped: false };
      },
    });
    renderApp();
    await waitFor(() => expect(screen.getByTestId("orders-total")).toHaveTextContent("1 order"));
    await pickStatuses(user, "expired");
    const empty = await screen.findByTestId("empty-state");
    expect(empty).toHaveTextContent("No orders match these filters");
    expect(queries(calls).at(-1)?.statuses).toEqual(["expired"]);
    await user.click(within(empty).getByRole("button", { name: "Clear filters" }));
    // Back to the unfiltered list (answered from the cache: same query as at first).
    expect(await screen.findByTestId("order-row")).toBeInTheDocument();
    expect(screen.getByTestId("filter-status")).toHaveAttribute("data-value", "");
  });

  it("shows the shell's error with its code and retries on demand", async () => {
    const user = userEvent.setup({ delay: null });
    let fail = true;
    scriptShell({
      orders_page: () => (fail ? refusal("store_unavailable", "The order cache could not be read") : { rows: [syntheticOrder(3)], total: 1, total_capped: false }),
    });
    renderApp();
    const error = await screen.findByTestId("error-state");
    expect(error).toHaveAttribute("data-code", "store_unavailable");
    expect(error).toHaveTextContent("The order cache could not be read");
    expect(screen.getByTestId("app-ready")).toBeInTheDocument();
    fail = false;
    await user.click(within(error).getByRole("button", { name: "Try again" }));
    expect(await screen.findByTestId("order-row")).toHaveAttribute("data-order-id", syntheticOrder(3).order_id);
  });

  it("refetches on a pushed OrderChanged event and never polls", async () => {
    const calls = millionOrders();
    renderApp();
    await screen.findAllByTestId("order-row");
    const before = queries(calls).length;
    await new Promise((r) => setTimeout(r, 400));
    expect(queries(calls).length).toBe(before);
    await push("order-changed", { order_id: syntheticOrder(0).order_id, status: "fully_captured" });
    await waitFor(() => expect(queries(calls).length).toBeGreaterThan(before));
    expect(callsTo(calls, "attention_queue").length).toBeGreaterThanOrEqual(2);
  });

  it("saves the current filters as a named view", async () => {
    const user = userEvent.setup({ delay: null });
    const calls = millionOrders();
    renderApp();
    await screen.findAllByTestId("order-row");
    await pickStatuses(user, "authorised", "partially_captured");
    await user.click(screen.getByTestId("save-view"));
    await user.type(screen.getByRole("textbox", { name: "View name" }), "To capture{Enter}");
    await waitFor(() => expect(callsTo(calls, "save_view")).toHaveLength(1));
    const saved = callsTo(calls, "save_view")[0]?.args;
    expect(saved?.name).toBe("To capture");
    expect((saved?.query as Required<OrdersQuery>).statuses).toEqual(["authorised", "partially_captured"]);
    expect(screen.getByTestId("filter-status")).toHaveTextContent("Authorised + Partially captured");
  });
});
