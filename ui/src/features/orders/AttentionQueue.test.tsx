import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { renderApp, scriptShell } from "../../test/harness";

const inHours = (h: number) => new Date(Date.now() + h * 3600_000 + 30_000).toISOString();

describe("needs attention", () => {
  it("lists the most urgent first with the time left before the 72 h deadline", async () => {
    const user = userEvent.setup({ delay: null });
    scriptShell({
      orders_page: () => ({ rows: [], total: 0, total_capped: false }),
      attention_queue: () => [
        { order_id: "o-3", reference: "R-3", reason: "mismatch", deadline: null, detail: "cache approved, Tamara authorised" },
        { order_id: "o-1", reference: "R-1", reason: "approved_not_authorised", deadline: inHours(50), detail: "" },
        { order_id: "o-2", reference: "R-2", reason: "approved_not_authorised", deadline: inHours(5), detail: "" },
        { order_id: "o-4", reference: "R-4", reason: "approved_not_authorised", deadline: inHours(-1), detail: "" },
      ],
      order_detail: () => new Promise(() => undefined),
    });
    renderApp();
    const tab = await screen.findByTestId("orders-tab-attention");
    await waitFor(() => expect(tab).toHaveTextContent("4"));
    await user.click(tab);
    const items = await screen.findAllByTestId("attention-item");
    expect(items.map((i) => i.getAttribute("data-order-id"))).toEqual(["o-4", "o-2", "o-1", "o-3"]);
    expect(within(items[0] as HTMLElement).getByTestId("time-left")).toHaveTextContent("Deadline passed");
    expect(within(items[1] as HTMLElement).getByTestId("time-left")).toHaveTextContent("5 h 0 min left");
    expect(within(items[1] as HTMLElement).getByTestId("time-left")).toHaveClass("tone-bad");
    expect(within(items[2] as HTMLElement).getByTestId("time-left")).toHaveTextContent("50 h 0 min left");
    expect(items[3]).toHaveTextContent("Cache and gateway disagree");
    await user.click(within(items[1] as HTMLElement).getByRole("button"));
    expect(window.location.hash).toBe("#/orders/o-2");
  });
});
