import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { sampleDetail } from "../ipc/mock/fixtures";
import { renderApp, scriptShell } from "../test/harness";

// Values a float would damage: 2^53 + 1, trailing zeros, three decimals.
const HUGE = "9007199254740993.125";

describe("amounts on screen", () => {
  it("shows every amount exactly as the shell sent it, at the currency's precision", async () => {
    const d = sampleDetail();
    scriptShell({
      order_detail: () => ({
        ...d,
        order: { ...d.order, currency: "KWD", total: HUGE },
        amounts: { authorised: HUGE, captured: "12.500", refunded: "0.000", canceled: "0.100", capturable: "9007199254740980.625", refundable: "12.500", cancelable: "0.000" },
      }),
    });
    renderApp(`#/orders/${d.order.order_id}`);
    const authorised = await screen.findByTestId("amount-authorised");
    expect(authorised).toHaveAttribute("data-amount", HUGE);
    expect(authorised).toHaveTextContent("9,007,199,254,740,993.125 KWD");
    expect(screen.getByTestId("amount-captured")).toHaveTextContent("12.500 KWD");
    expect(screen.getByTestId("amount-refunded")).toHaveTextContent("0.000 KWD");
    expect(screen.getByTestId("amount-canceled")).toHaveTextContent("0.100 KWD");
    // What a float round trip would have printed must appear nowhere.
    const page = screen.getByTestId("order-detail").textContent ?? "";
    expect(page).not.toContain("9,007,199,254,740,992");
    expect(page).not.toMatch(/\b12\.5 KWD/);
  });

  it("shows raw payload numbers as sent, in the tree and the grid", async () => {
    const user = userEvent.setup({ delay: null });
    const d = sampleDetail();
    scriptShell({ order_detail: () => d });
    renderApp(`#/orders/${d.order.order_id}`);
    const viewer = await screen.findByTestId("raw-order");
    expect(viewer).toHaveTextContent("amount: 460.00");
    expect(viewer).toHaveTextContent("big: 12345678901234567890.125");
    expect(viewer).not.toHaveTextContent("amount: 460,");
    // Collapse and expand.
    const items = within(viewer).getByText("items:").closest("li") as HTMLElement;
    await user.click(within(items).getAllByRole("button")[0] as HTMLElement);
    expect(viewer).not.toHaveTextContent("Gift box");
    await user.click(within(items).getAllByRole("button")[0] as HTMLElement);
    expect(viewer).toHaveTextContent("Gift box");

    await user.click(within(viewer).getByRole("tab", { name: "Grid" }));
    const row = within(viewer).getByText("items[1].total_amount.amount").closest("tr") as HTMLElement;
    expect(row).toHaveTextContent("60.00");
    expect(within(viewer).getByText("big").closest("tr")).toHaveTextContent("12345678901234567890.125");
  });

  it("falls back to the raw text when a payload is not JSON", async () => {
    const user = userEvent.setup({ delay: null });
    const d = sampleDetail({
      timeline: [{ at: "2025-03-02T09:00:00Z", kind: "api_call", title: "GET /orders/x", detail: "502 from a proxy", phrase: { code: "order_read", params: { status: "approved" } }, detail_phrases: [{ code: "reason", params: { reason: "502 from a proxy" } }], payload: "<html>Bad gateway</html>" }],
    });
    scriptShell({ order_detail: () => d });
    renderApp(`#/orders/${d.order.order_id}`);
    await user.click(await screen.findByRole("button", { name: "Show payload" }));
    const timeline = screen.getByTestId("timeline");
    expect(timeline).toHaveTextContent("Not JSON");
    expect(timeline).toHaveTextContent("<html>Bad gateway</html>");
  });
});
