import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { CheckoutReport } from "../../ipc";
import { callsTo, renderApp, scriptShell } from "../../test/harness";
import { marksFor, parentPath } from "./CheckoutChecker";

const BODY = JSON.stringify({
  total_amount: { amount: 100, currency: "SAR" },
  items: [{ quantity: 0, total_amount: { amount: 40.0, currency: "SAR" } }],
});

const REPORT: CheckoutReport = {
  convention: null,
  findings: [
    { path: "items[0].quantity", severity: "error", code: "quantity_below_one", message: "the quantity must be at least 1, got 0" },
    { path: "items[0].sku", severity: "error", code: "missing_field", message: "sku is required" },
    { path: "total_amount.amount", severity: "error", code: "totals_mismatch", message: "total_amount is 100.00 SAR but … expects 40.00 SAR" },
    { path: "payment_type", severity: "warning", code: "payment_type_missing", message: "absent" },
  ],
};

describe("checkout checker", () => {
  it("sends the pasted body, marks each finding at its node and lists them", async () => {
    const user = userEvent.setup({ delay: null });
    const calls = scriptShell({ checkout_check: () => REPORT });
    renderApp("#/checkout");
    const input = await screen.findByTestId("checkout-input");
    fireEvent.change(input, { target: { value: BODY } });
    await user.click(screen.getByTestId("checkout-check"));

    const result = await screen.findByTestId("checkout-result");
    expect(result).toHaveAttribute("data-ok", "false");
    expect(screen.getByTestId("checkout-summary")).toHaveTextContent("Errors: 3");
    expect(screen.getByTestId("checkout-convention")).toHaveTextContent("under any known convention");
    expect(callsTo(calls, "checkout_check")[0]?.args).toEqual({ text: BODY });

    const items = within(screen.getByTestId("checkout-findings")).getAllByRole("listitem");
    expect(items.map((li) => li.getAttribute("data-code"))).toEqual(["quantity_below_one", "missing_field", "totals_mismatch", "payment_type_missing"]);

    const tree = screen.getByTestId("checkout-tree");
    const marked = [...tree.querySelectorAll("[data-mark]")].map((el) => [el.getAttribute("data-path"), el.getAttribute("data-mark")]);
    // The missing sku is marked on its item, the missing payment type on the whole body.
    expect(marked).toEqual([
      ["", "warning"],
      ["total_amount.amount", "error"],
      ["items[0]", "error"],
      ["items[0].quantity", "error"],
    ]);
    expect(tree.querySelector('[data-path="items[0].quantity"]')).toHaveTextContent("quantity: 0");
  });

  it("checks a dropped file at once and says when all is well", async () => {
    scriptShell({ checkout_check: () => ({ convention: "items_inclusive", findings: [] }) });
    renderApp("#/checkout");
    const input = await screen.findByTestId("checkout-input");
    const file = new File([BODY], "checkout.json", { type: "application/json" });
    fireEvent.drop(input, { dataTransfer: { files: [file] } });
    const result = await screen.findByTestId("checkout-result");
    expect(result).toHaveAttribute("data-ok", "true");
    await waitFor(() => expect(input).toHaveValue(BODY));
    expect(screen.getByTestId("checkout-convention")).toHaveTextContent("items_inclusive");
  });

  it("walks up to the nearest node that exists", () => {
    expect(parentPath("items[0].sku")).toBe("items[0]");
    expect(parentPath("items[0]")).toBe("items");
    expect(parentPath("items")).toBe("");
    expect(marksFor("{", REPORT.findings)).toEqual({});
    const marks = marksFor(BODY, REPORT.findings);
    expect(marks["items[0]"]?.title).toContain("missing_field");
  });
});
