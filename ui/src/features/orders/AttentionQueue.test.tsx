import { act, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import i18n from "i18next";
import { describe, expect, it } from "vitest";
import { sampleDetail } from "../../ipc/mock/fixtures";
import { renderApp, scriptShell } from "../../test/harness";

const inHours = (h: number) => new Date(Date.now() + h * 3600_000 + 30_000).toISOString();
const item = (patch: Record<string, unknown>) => ({ amount: null, currency: null, customer: null, detail: "", deadline: null, ...patch });

describe("needs attention", () => {
  it("lists the most urgent first with the time left in one humane format", async () => {
    const user = userEvent.setup({ delay: null });
    scriptShell({
      orders_page: () => ({ rows: [], total: 0, total_capped: false }),
      attention_queue: () => [
        item({ order_id: "o-3", reference: "R-3", reason: "mismatch", detail: "cache approved, Tamara authorised" }),
        item({ order_id: "o-1", reference: "R-1", reason: "approved_not_authorised", deadline: inHours(50) }),
        item({ order_id: "o-2", reference: "R-2", reason: "approved_not_authorised", deadline: inHours(5) }),
        item({ order_id: "o-4", reference: "R-4", reason: "approved_not_authorised", deadline: inHours(-1) }),
        item({ order_id: "o-5", reference: "R-5", reason: "authorised_not_captured", deadline: inHours(504) }),
      ],
      order_detail: () => new Promise(() => undefined),
    });
    renderApp();
    const tab = await screen.findByTestId("orders-tab-attention");
    await waitFor(() => expect(tab).toHaveTextContent("5"));
    await user.click(tab);
    const items = await screen.findAllByTestId("attention-item");
    expect(items.map((i) => i.getAttribute("data-order-id"))).toEqual(["o-4", "o-2", "o-1", "o-5", "o-3"]);
    const left = (i: number) => within(items[i] as HTMLElement).getByTestId("time-left");
    expect(left(0)).toHaveTextContent("Deadline passed");
    expect(left(1)).toHaveTextContent("5 h 0 min left");
    expect(left(1)).toHaveClass("tone-bad");
    expect(left(2)).toHaveTextContent("2 days left");
    expect(left(3)).toHaveTextContent("21 days left");
    expect(items[4]).toHaveTextContent("Cache and gateway disagree");
    await user.click(within(items[1] as HTMLElement).getByRole("button", { name: "Open R-2" }));
    expect(window.location.hash).toBe("#/orders/o-2");
  });

  it("shows the amount at stake and the customer, and captures from the row in the order's move dialog", async () => {
    const user = userEvent.setup({ delay: null });
    const detail = sampleDetail();
    scriptShell({
      orders_page: () => ({ rows: [], total: 0, total_capped: false }),
      attention_queue: () => [
        item({
          order_id: detail.order.order_id,
          reference: detail.order.reference,
          reason: "authorised_not_captured",
          deadline: inHours(100),
          amount: "1900.00",
          currency: "SAR",
          customer: "Layla Al-Harbi",
        }),
      ],
      order_detail: () => ({ ...detail, order: { ...detail.order, status: "partially_captured" }, amounts: { ...detail.amounts, capturable: "1900.00" } }),
      move_preview: () => new Promise(() => undefined),
    });
    renderApp("#/orders");
    await user.click(await screen.findByTestId("orders-tab-attention"));
    const row = await screen.findByTestId("attention-item");
    expect(within(row).getByTestId("attention-amount")).toHaveAttribute("data-amount", "1900.00");
    expect(within(row).getByTestId("attention-amount")).toHaveTextContent("1,900.00 SAR");
    expect(within(row).getByTestId("attention-customer")).toHaveTextContent("Layla Al-Harbi");
    expect(within(row).getByText("Capture or cancel it before Tamara captures it automatically.")).toBeInTheDocument();
    await user.click(within(row).getByRole("button", { name: `Capture ${detail.order.reference}` }));
    const dialog = await screen.findByRole("dialog");
    expect(within(dialog).getByTestId("move-amount")).toHaveValue("1900.00");
    expect(window.location.hash).toBe("#/orders");
    await user.keyboard("{Escape}");
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
  });

  it("says nothing in English when the app is in Arabic", async () => {
    const user = userEvent.setup({ delay: null });
    scriptShell({
      orders_page: () => ({ rows: [], total: 0, total_capped: false }),
      attention_queue: () => [
        item({ order_id: "o-1", reference: "R-1", reason: "authorised_not_captured", deadline: inHours(30), amount: "10.00", currency: "SAR", customer: "سارة" }),
        item({ order_id: "o-2", reference: "R-2", reason: "mismatch", detail: "capture of 10.00 SAR is unknown: refresh the order" }),
      ],
    });
    renderApp();
    const tab = await screen.findByTestId("orders-tab-attention");
    await waitFor(() => expect(tab).toHaveTextContent("2"));
    await act(() => i18n.changeLanguage("ar"));
    await user.click(tab);
    const items = await screen.findAllByTestId("attention-item");
    for (const row of items) {
      // Everything but identifiers, amounts and currency codes is Arabic.
      const text = (row.textContent ?? "").replace(/R-\d|[\d.,]+|SAR/g, "");
      expect(text).not.toMatch(/[A-Za-z]{2,}/);
    }
    expect(within(items[0] as HTMLElement).getByTestId("time-left")).toHaveTextContent("متبقٍّ 30 س 0 د");
  });
});
