// A money move leaves a toast behind: what moved, on which order, in the UI's language; a
// refusal leaves its translated hint.
import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { MoveInput, MovePreview } from "../../ipc";
import { sampleDetail } from "../../ipc/mock/fixtures";
import { setLanguage } from "../../i18n";
import { refusal, renderApp, scriptShell } from "../../test/harness";
import { difference } from "./moveToast";

const before = sampleDetail({
  order: { ...sampleDetail().order, reference: "DEMO-000046", status: "authorised", total: "1200.00", captured: "0.00" },
  amounts: { ...sampleDetail().amounts, captured: "0.00", capturable: "1200.00", refundable: "0.00" },
  allowed: { authorise: false, capture: true, refund: false, cancel: true },
});
const after = sampleDetail({ ...before, amounts: { ...before.amounts, captured: "120.00", capturable: "1080.00" } });
const ID = before.order.order_id;

const preview = (input: MoveInput): MovePreview => ({
  method: "POST",
  url: `https://api-sandbox.tamara.co/payments/capture/${input.order_id}`,
  body: "{}",
  environment: "sandbox",
  needs_confirmation: false,
  confirm_hint: "",
  warnings: [],
});

async function capture120(user: ReturnType<typeof userEvent.setup>) {
  renderApp(`#/orders/${ID}`);
  await user.click(await screen.findByTestId("action-capture"));
  const amount = screen.getByTestId("move-amount");
  await user.clear(amount);
  await user.type(amount, "120.00");
  await screen.findByTestId("move-preview");
  await user.click(screen.getByTestId("move-submit"));
}

describe("move toasts", () => {
  it("says what was captured on which order once the move succeeds", async () => {
    const user = userEvent.setup({ delay: null });
    scriptShell({ order_detail: () => before, move_preview: (a) => preview(a.input as MoveInput), move_execute: () => ({ outcome: "succeeded", detail: "ok", order: after }) });
    await capture120(user);
    expect(await screen.findByText("Captured 120.00 SAR on DEMO-000046")).toBeInTheDocument();
  });

  it("says it in Arabic with the amount kept left-to-right", async () => {
    const user = userEvent.setup({ delay: null });
    setLanguage("ar");
    scriptShell({ order_detail: () => before, move_preview: (a) => preview(a.input as MoveInput), move_execute: () => ({ outcome: "succeeded", detail: "ok", order: after }) });
    await capture120(user);
    expect(await screen.findByText("حُصّل \u2066120.00 SAR\u2069 من الطلب DEMO-000046")).toBeInTheDocument();
  });

  it("shows the refusal's translated hint when the move fails", async () => {
    const user = userEvent.setup({ delay: null });
    scriptShell({ order_detail: () => before, move_preview: (a) => preview(a.input as MoveInput), move_execute: () => refusal("gateway_timeout", "no answer in 30 s") });
    await capture120(user);
    const title = await screen.findByText("Capture failed on DEMO-000046");
    const toast = title.closest("[data-sonner-toast]") as HTMLElement;
    expect(within(toast).getByText("Tamara did not answer in time: try again.")).toBeInTheDocument();
  });

  it("subtracts amounts exactly", () => {
    expect(difference("120.00", "0.00")).toBe("120.00");
    expect(difference("1080.5", "0.25")).toBe("1080.25");
    expect(difference("0.001", "0.000")).toBe("0.001");
    expect(difference("5", "7")).toBe("-2");
  });
});
