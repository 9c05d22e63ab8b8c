// Several orders at once: tick rows, then capture each through the guarded move path after
// one confirmation that lists every order with the exact amount to be sent.
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it } from "vitest";
import type { MoveInput } from "../../ipc";
import { sampleDetail, syntheticOrder } from "../../ipc/mock/fixtures";
import { callsTo, giveViewport, refusal, renderApp, scriptShell } from "../../test/harness";

describe("selecting orders", () => {
  beforeEach(() => giveViewport(600));

  it("captures each ticked order after one confirmation listing them, and shows each outcome", async () => {
    const user = userEvent.setup({ delay: null });
    const rows = [0, 1, 2].map((i) => ({ ...syntheticOrder(i), status: "authorised" }));
    const base = sampleDetail();
    const detailOf = (id: string) => {
      const i = rows.findIndex((r) => r.order_id === id);
      const row = rows[i] ?? rows[0]!;
      return { ...base, order: row, amounts: { ...base.amounts, capturable: `${i + 1}00.00` }, allowed: { ...base.allowed, capture: i !== 2 } };
    };
    const calls = scriptShell({
      orders_page: () => ({ rows, total: 3, total_capped: false, arrival_mark: 3 }),
      order_detail: (a) => detailOf(String(a.orderId)),
      move_execute: (a) => {
        const input = a.input as MoveInput;
        return input.order_id === rows[1]!.order_id ? refusal("amount_exceeds_capturable", "more than is left") : { outcome: "succeeded", order: detailOf(input.order_id) };
      },
    });
    renderApp();
    await screen.findAllByTestId("order-row");
    expect(screen.getByTestId("bulk-capture")).toBeDisabled();
    for (const r of rows) await user.click(screen.getByRole("checkbox", { name: `Select ${r.reference}` }));
    // Ticking never opens the order.
    expect(window.location.hash).toBe("#/orders");
    expect(screen.getByTestId("selection-bar")).toHaveTextContent("3 selected");
    expect(screen.getByTestId("orders-table")).toHaveAttribute("data-held", "true");

    await user.click(screen.getByTestId("bulk-capture"));
    const dialog = await screen.findByTestId("bulk-dialog");
    await waitFor(() => expect(within(dialog).getAllByTestId("bulk-amount")).toHaveLength(2));
    expect(within(dialog).getAllByTestId("bulk-amount").map((a) => a.getAttribute("data-amount"))).toEqual(["100.00", "200.00"]);
    expect(dialog).toHaveTextContent("Skipped: not possible while Authorised");
    await user.click(within(dialog).getByTestId("bulk-confirm"));
    await waitFor(() => expect(within(dialog).getAllByTestId("bulk-outcome")[1]).not.toBeEmptyDOMElement());
    const sent = callsTo(calls, "move_execute").map((c) => c.args.input as MoveInput);
    expect(sent.map((i) => [i.kind, i.order_id, i.amount])).toEqual([
      ["capture", rows[0]!.order_id, "100.00"],
      ["capture", rows[1]!.order_id, "200.00"],
    ]);
    const outcomes = within(dialog).getAllByTestId("bulk-outcome");
    expect(outcomes[0]).toHaveTextContent("Done");
    expect(outcomes[1]).not.toHaveTextContent("Done");
    expect(outcomes[2]).toBeEmptyDOMElement();
    // One summary toast for what moved and one for what did not, with the first reason.
    expect(await screen.findByText("Orders captured: 1")).toBeInTheDocument();
    expect(screen.getByText("Orders not moved: 1")).toBeInTheDocument();
  });
});

describe("exporting the selection", () => {
  beforeEach(() => giveViewport(600));

  it("writes the ticked orders through the orders export, asking before it replaces a file", async () => {
    const user = userEvent.setup({ delay: null });
    const rows = [0, 1, 2].map((i) => syntheticOrder(i));
    let exists = true;
    const calls = scriptShell({
      orders_page: () => ({ rows, total: 3, total_capped: false, arrival_mark: 3 }),
      "plugin:dialog|save": () => "/home/op/chosen.csv",
      export_existing: (a) => (exists ? [String(a.path)] : []),
      export_run: (a) => ({ export_id: "e9", rows: (a.orderIds as string[]).length, path: a.path, extra_paths: [] }),
    });
    renderApp();
    await screen.findAllByTestId("order-row");
    expect(screen.getByTestId("export-selection")).toBeDisabled();
    for (const r of [rows[0]!, rows[2]!]) await user.click(screen.getByRole("checkbox", { name: `Select ${r.reference}` }));

    await user.click(screen.getByTestId("export-selection"));
    const save = callsTo(calls, "plugin:dialog|save")[0]?.args.options as { defaultPath: string; filters: unknown[] };
    expect(save.defaultPath).toBe("mizan-orders-sandbox-selection-2.csv");
    expect(save.filters).toEqual([{ name: "CSV", extensions: ["csv"] }]);
    // The file exists: nothing is written until the operator says so.
    const replace = await screen.findByTestId("export-replace-dialog");
    expect(replace).toHaveTextContent("/home/op/chosen.csv");
    expect(callsTo(calls, "export_existing")[0]?.args).toEqual({ kind: "orders", path: "/home/op/chosen.csv" });
    expect(callsTo(calls, "export_run")).toHaveLength(0);
    await user.click(within(replace).getByTestId("export-replace-keep"));
    expect(callsTo(calls, "export_run")).toHaveLength(0);

    await user.click(screen.getByTestId("export-selection"));
    await user.click(within(await screen.findByTestId("export-replace-dialog")).getByTestId("export-replace-confirm"));
    await waitFor(() => expect(callsTo(calls, "export_run")).toHaveLength(1));
    const args = callsTo(calls, "export_run")[0]?.args;
    expect(args).toMatchObject({ kind: "orders", path: "/home/op/chosen.csv", from: null, to: null, overwrite: true });
    expect([...(args?.orderIds as string[])].sort()).toEqual([rows[0]!.order_id, rows[2]!.order_id].sort());
    expect(await screen.findByText("Exported 2 orders to /home/op/chosen.csv")).toBeInTheDocument();

    // A new file is written at once, never with overwrite.
    exists = false;
    await user.click(screen.getByTestId("export-selection"));
    await waitFor(() => expect(callsTo(calls, "export_run")).toHaveLength(2));
    expect(callsTo(calls, "export_run")[1]?.args.overwrite).toBe(false);
  });
});
