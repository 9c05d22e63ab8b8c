import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { callsTo, refusal, renderApp, scriptShell } from "../../test/harness";

describe("in store", () => {
  it("starts a QR sale with the till id and voids it only after a confirmation", async () => {
    const user = userEvent.setup({ delay: null });
    const calls = scriptShell({
      till_start: () => ({ order_id: "ord-1", checkout_id: "chk-1", link: "https://checkout.example/qr/chk-1" }),
      till_void: () => ({ voided: false, message: "checkout_already_completed" }),
    });
    renderApp("#/till");
    await user.click(await screen.findByTestId("till-channel-qr"));
    await user.type(screen.getByTestId("till-device"), "TILL-07");
    await user.type(screen.getByTestId("till-amount"), "99.50");
    await user.type(screen.getByTestId("till-reference"), "QR-1");
    await user.click(screen.getByTestId("till-start"));
    expect(await screen.findByTestId("till-link")).toHaveTextContent("https://checkout.example/qr/chk-1");
    expect(callsTo(calls, "till_start")[0]?.args).toMatchObject({
      input: { channel: "qr", device_id: "TILL-07", amount: "99.50", currency: "SAR", reference: "QR-1" },
    });

    await user.click(screen.getByTestId("till-void"));
    const dialog = screen.getByTestId("till-void-dialog");
    expect(callsTo(calls, "till_void")).toHaveLength(0);
    await user.click(within(dialog).getByTestId("till-void-confirm"));
    expect(await screen.findByTestId("till-void-result")).toHaveTextContent("Not voided: checkout_already_completed");
    expect(callsTo(calls, "till_void")[0]?.args).toEqual({ checkoutId: "chk-1", orderId: "ord-1" });
  });

  it("shows a refused sale's reason and lists payment types with exact limits", async () => {
    const user = userEvent.setup({ delay: null });
    scriptShell({
      till_start: () => refusal("invalid_input", "phone \"abc\" is not an international number"),
      till_payment_types: () => [
        { name: "PAY_BY_INSTALMENTS", description: "Split", description_ar: null, currency: "KWD", min: "1.000", max: "1500.000", instalments: [3, 4] },
      ],
    });
    renderApp("#/till");
    await user.type(await screen.findByTestId("till-phone"), "abc");
    await user.click(screen.getByTestId("till-start"));
    expect(await screen.findByText(/is not an international number/)).toBeInTheDocument();
    await user.selectOptions(screen.getByTestId("till-country"), "KW");
    await user.click(screen.getByTestId("till-types"));
    const table = await screen.findByTestId("till-types-table");
    expect(table).toHaveTextContent("1,500.000");
    expect(table).toHaveTextContent("3, 4");
  });
});
