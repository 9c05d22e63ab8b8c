import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { MoveInput, MovePreview } from "../../ipc";
import { PRODUCTION_INFO, sampleDetail } from "../../ipc/mock/fixtures";
import { callsTo, refusal, renderApp, scriptShell } from "../../test/harness";

const detail = sampleDetail();
const ID = detail.order.order_id;

function preview(input: MoveInput, production = false): MovePreview {
  return {
    method: "POST",
    url: `https://api-sandbox.tamara.co/payments/simplified-refund/${input.order_id}`,
    body: `{\n  "total_amount": { "amount": ${input.amount}, "currency": "SAR" },\n  "comment": ${JSON.stringify(input.comment)}\n}`,
    environment: production ? "production" : "sandbox",
    needs_confirmation: production,
    confirm_hint: detail.order.reference,
    warnings: [],
  };
}

describe("order detail", () => {
  it("enables exactly the actions the state allows, buttons and shortcuts alike", async () => {
    scriptShell({ order_detail: () => detail });
    renderApp(`#/orders/${ID}`);
    await screen.findByTestId("order-detail");
    expect(screen.getByTestId("action-refund")).toBeEnabled();
    for (const k of ["authorise", "capture", "cancel"]) expect(screen.getByTestId(`action-${k}`)).toBeDisabled();
    expect(screen.getByTestId("action-capture")).toHaveAttribute("title", "Not possible while the order is Captured");

    fireEvent.keyDown(window, { key: "c" });
    expect(screen.queryByTestId("move-dialog")).toBeNull();
    fireEvent.keyDown(window, { key: "r" });
    expect(await screen.findByTestId("move-dialog")).toHaveTextContent("Refund MZ-100007");
  });

  it("shows the customer's contact in the header, and says so when none is cached", async () => {
    let d = detail;
    scriptShell({ order_detail: () => d });
    const { unmount } = renderApp(`#/orders/${ID}`);
    const contact = await screen.findByTestId("order-contact");
    expect(within(contact).getByTestId("contact-name")).toHaveTextContent("Layla Al-Harbi");
    expect(within(contact).getByTestId("contact-phone")).toHaveAttribute("href", "tel:515961287");
    expect(within(contact).getByTestId("contact-email")).toHaveAttribute("href", "mailto:layla@example.test");
    unmount();
    d = { ...detail, order: { ...detail.order, order_id: "other", customer: null, phone: null, email: null, rehearsal: true } };
    renderApp(`#/orders/other`);
    expect(await screen.findByTestId("order-contact")).toHaveTextContent("No contact details cached");
    expect(screen.getByTestId("rehearsal-mark")).toHaveTextContent("Rehearsal");
  });

  it("shows status, amounts, items and one merged timeline, newest first", async () => {
    scriptShell({ order_detail: () => detail });
    renderApp(`#/orders/${ID}`);
    await screen.findByTestId("order-detail");
    expect(screen.getByTestId("order-status")).toHaveAttribute("data-status", "fully_captured");
    expect(screen.getByTestId("amount-captured")).toHaveTextContent("460.00 SAR");
    expect(screen.getByTestId("amount-refunded")).toHaveAttribute("data-amount", "0.00");
    const entries = within(screen.getByTestId("timeline")).getAllByTestId("timeline-entry");
    expect(entries.map((e) => e.getAttribute("data-kind"))).toEqual(["audit", "move", "api_call", "webhook", "status"]);
    expect(screen.getByTestId("order-items")).toHaveTextContent("Oud perfume");
    expect(screen.queryByTestId("unreadable-fields")).toBeNull();
  });

  it("shows dispute events on the timeline with their own filter and payload", async () => {
    const user = userEvent.setup({ delay: null });
    const body = '{"order_id":"0d5e8a1c","dispute_id":7,"event_type":"OrderDisputeAwaitingMerchantResponse","data":{}}';
    const dispute = {
      at: "2025-03-05T08:00:00Z",
      kind: "dispute" as const,
      title: "Dispute 7 — OrderDisputeAwaitingMerchantResponse",
      detail: "status awaiting_merchant_response",
      phrase: { code: "dispute_event" as const, params: { dispute: "7", event: "OrderDisputeAwaitingMerchantResponse" } },
      detail_phrases: [{ code: "dispute_status" as const, params: { dispute_status: "awaiting_merchant_response" } }],
      payload: body,
    };
    scriptShell({ order_detail: () => ({ ...detail, timeline: [...detail.timeline, dispute] }) });
    renderApp(`#/orders/${ID}`);
    await screen.findByTestId("order-detail");
    const chip = screen.getByRole("radio", { name: /Dispute/ });
    await user.click(chip);
    const entries = within(screen.getByTestId("timeline")).getAllByTestId("timeline-entry");
    expect(entries.map((e) => e.getAttribute("data-kind"))).toEqual(["dispute"]);
    expect(entries[0]).toHaveTextContent("Dispute 7: OrderDisputeAwaitingMerchantResponse");
    expect(entries[0]).toHaveTextContent("dispute status awaiting_merchant_response");
    await user.click(within(entries[0] as HTMLElement).getByRole("button", { name: "Show payload" }));
    expect(screen.getByTestId("timeline")).toHaveTextContent("OrderDisputeAwaitingMerchantResponse");
  });

  it("still shows an order with fields Tamara sent oddly, and names them", async () => {
    scriptShell({ order_detail: () => ({ ...detail, unreadable_fields: ["consumer.first_name", "instalments"] }) });
    renderApp(`#/orders/${ID}`);
    await screen.findByTestId("order-detail");
    expect(screen.getByTestId("unreadable-fields")).toHaveTextContent("consumer.first_name, instalments");
    expect(screen.getByTestId("amount-captured")).toHaveTextContent("460.00 SAR");
  });

  it("previews the exact request, then sends it and shows the new amounts", async () => {
    const user = userEvent.setup({ delay: null });
    const after = sampleDetail({
      amounts: { ...detail.amounts, refunded: "100.50", refundable: "359.50" },
    });
    const calls = scriptShell({
      order_detail: () => detail,
      move_preview: (a) => preview(a.input as MoveInput),
      move_execute: () => ({ outcome: "succeeded", detail: "refund r-77 accepted", order: after }),
    });
    renderApp(`#/orders/${ID}`);
    await user.click(await screen.findByTestId("action-refund"));
    const amount = screen.getByTestId("move-amount");
    expect(amount).toHaveValue("460.00");
    await user.clear(amount);
    await user.type(amount, "100.50");
    await user.type(screen.getByTestId("move-comment"), "damaged box");
    const shown = await screen.findByTestId("move-preview");
    await waitFor(() => expect(shown).toHaveTextContent('"amount": 100.50'));
    expect(shown).toHaveTextContent("POST https://api-sandbox.tamara.co/payments/simplified-refund/");
    expect(shown).toHaveTextContent('"comment": "damaged box"');
    expect(callsTo(calls, "move_preview").at(-1)?.args.input).toEqual({ kind: "refund", order_id: ID, amount: "100.50", items: null, comment: "damaged box" });
    expect(screen.queryByTestId("move-confirm-text")).toBeNull();

    await user.click(screen.getByTestId("move-submit"));
    expect(await screen.findByTestId("move-done")).toHaveTextContent("Done: Tamara accepted the request.");
    const sent = callsTo(calls, "move_execute");
    expect(sent).toHaveLength(1);
    expect(sent[0]?.args).toEqual({ input: { kind: "refund", order_id: ID, amount: "100.50", items: null, comment: "damaged box" }, confirmText: null });
    expect(screen.getByTestId("amount-refunded")).toHaveTextContent("100.50 SAR");
  });

  it("shows the core's refusal with its code and does not let it be sent", async () => {
    const user = userEvent.setup({ delay: null });
    const calls = scriptShell({
      order_detail: () => detail,
      move_preview: (a) => {
        const input = a.input as MoveInput;
        return input.amount === "500.00"
          ? refusal("amount_exceeds_refundable", "500.00 SAR is more than the 460.00 SAR captured and not refunded")
          : preview(input);
      },
    });
    renderApp(`#/orders/${ID}`);
    await user.click(await screen.findByTestId("action-refund"));
    await user.type(screen.getByTestId("move-comment"), "too much");
    await user.clear(screen.getByTestId("move-amount"));
    await user.type(screen.getByTestId("move-amount"), "500.00");
    const error = await screen.findByTestId("move-error");
    expect(error).toHaveAttribute("data-code", "amount_exceeds_refundable");
    expect(error).toHaveTextContent("500.00 SAR is more than the 460.00 SAR captured and not refunded");
    expect(error).toHaveTextContent("That is more than was captured and not yet refunded.");
    expect(screen.queryByTestId("move-preview")).toBeNull();
    expect(screen.getByTestId("move-submit")).toBeDisabled();
    expect(callsTo(calls, "move_execute")).toHaveLength(0);

    // Input that cannot be sent at all never reaches the core.
    const before = callsTo(calls, "move_preview").length;
    await user.clear(screen.getByTestId("move-amount"));
    await user.type(screen.getByTestId("move-amount"), "12,5x");
    expect(await screen.findByTestId("move-error")).toHaveAttribute("data-code", "amount_format");
    await new Promise((r) => setTimeout(r, 400));
    expect(callsTo(calls, "move_preview")).toHaveLength(before);
  });

  it("in production asks for the order reference before sending and sends it along", async () => {
    const user = userEvent.setup({ delay: null });
    const calls = scriptShell({
      app_info: () => PRODUCTION_INFO,
      order_detail: () => detail,
      move_preview: (a) => preview(a.input as MoveInput, true),
      move_execute: () => ({ outcome: "succeeded", detail: "ok", order: detail }),
    });
    renderApp(`#/orders/${ID}`);
    await user.click(await screen.findByTestId("action-refund"));
    await user.type(screen.getByTestId("move-comment"), "return");
    const confirm = await screen.findByTestId("move-confirm-text");
    expect(screen.getByTestId("move-preview")).toBeInTheDocument();
    expect(screen.getByTestId("move-submit")).toBeDisabled();
    await user.type(confirm, "MZ-10000");
    expect(screen.getByTestId("move-submit")).toBeDisabled();
    await user.click(screen.getByTestId("move-submit"));
    expect(callsTo(calls, "move_execute")).toHaveLength(0);
    await user.type(confirm, "7");
    expect(screen.getByTestId("move-submit")).toBeEnabled();
    await user.click(screen.getByTestId("move-submit"));
    await screen.findByTestId("move-done");
    expect(callsTo(calls, "move_execute")[0]?.args.confirmText).toBe("MZ-100007");
  });

  it("shows a refusal from sending (not only from the preview)", async () => {
    const user = userEvent.setup({ delay: null });
    scriptShell({
      order_detail: () => sampleDetail({ allowed: { authorise: false, capture: true, refund: true, cancel: false }, amounts: { ...detail.amounts, capturable: "40.000" } }),
      move_preview: (a) => preview(a.input as MoveInput),
      move_execute: () => refusal("move_in_progress", "Another capture of this order is being sent (since 10:02:11)"),
    });
    renderApp(`#/orders/${ID}`);
    await user.click(await screen.findByTestId("action-capture"));
    expect(screen.getByTestId("move-amount")).toHaveValue("40.000");
    await screen.findByTestId("move-preview");
    await user.click(screen.getByTestId("move-submit"));
    const error = await screen.findByTestId("move-error");
    expect(error).toHaveAttribute("data-code", "move_in_progress");
    expect(error).toHaveTextContent("Another capture of this order is being sent");
    expect(screen.queryByTestId("move-done")).toBeNull();
  });
});

describe("print statement", () => {
  it("asks the core for this order's statement and prints it from a hidden frame", async () => {
    const user = userEvent.setup({ delay: null });
    const calls = scriptShell({ order_detail: () => detail, order_statement: () => "<!doctype html><p>statement of MZ-100007</p>" });
    renderApp(`#/orders/${ID}`);
    await user.click(await screen.findByTestId("order-print"));
    await waitFor(() => expect(callsTo(calls, "order_statement")).toHaveLength(1));
    expect(callsTo(calls, "order_statement")[0]?.args).toEqual({ orderId: ID, entry: null });
    await waitFor(() => expect(document.querySelector("iframe[aria-hidden=true]")).not.toBeNull());
    const frame = document.querySelector("iframe[aria-hidden=true]") as HTMLIFrameElement;
    expect(frame.srcdoc).toContain("statement of MZ-100007");
  });
});
