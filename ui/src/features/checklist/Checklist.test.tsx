import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { ChecklistItem } from "../../ipc";
import { callsTo, push, renderApp, scriptShell } from "../../test/harness";

const items = (widgetsDone: boolean): ChecklistItem[] => [
  { id: "authorise", section: "Order management", title: "Approved orders are authorised", kind: "automatic", optional: false, done: true, evidence: ["order 0d5e8a1c-7b3f-4c2a-9e61-000000000004 authorised"], note: null },
  { id: "refund", section: "Order management", title: "Partial refund", kind: "automatic", optional: false, done: false, evidence: [], note: "No partial refund seen yet" },
  { id: "widgets", section: "Storefront", title: "Widgets shown", kind: "manual", optional: false, done: widgetsDone, evidence: [], note: widgetsDone ? "checked on staging" : null },
];

describe("go-live checklist", () => {
  it("groups items, links evidence to orders, signs manual items off with a note, and rehearses live", async () => {
    const user = userEvent.setup({ delay: null });
    let done = false;
    let finish: (v: unknown) => void = () => undefined;
    const calls = scriptShell({
      checklist: () => items(done),
      checklist_mark: (a) => {
        done = Boolean(a.done);
        return items(done)[2];
      },
      checklist_rehearse: () => new Promise((r) => (finish = r)),
    });
    renderApp("#/checklist");
    expect(await screen.findByTestId("checklist-progress")).toHaveTextContent("1 of 3 required items done");
    expect(screen.getByRole("heading", { name: "Storefront" })).toBeInTheDocument();
    expect(screen.getByText("Still missing: No partial refund seen yet")).toBeInTheDocument();

    await user.click(screen.getByRole("button", { name: "0d5e8a1c-7b3f-4c2a-9e61-000000000004" }));
    expect(window.location.hash).toBe("#/orders/0d5e8a1c-7b3f-4c2a-9e61-000000000004");
    window.location.hash = "#/checklist";

    const widgets = (await screen.findAllByTestId("checklist-item")).find((i) => i.getAttribute("data-id") === "widgets") as HTMLElement;
    await user.click(within(widgets).getByTestId("checklist-sign-off"));
    expect(within(widgets).getByRole("button", { name: "Mark done" })).toBeDisabled();
    await user.type(within(widgets).getByRole("textbox"), "checked on staging");
    await user.click(within(widgets).getByRole("button", { name: "Mark done" }));
    await waitFor(() => expect(screen.getByTestId("checklist-progress")).toHaveTextContent("2 of 3"));
    expect(callsTo(calls, "checklist_mark")[0]?.args).toEqual({ id: "widgets", done: true, note: "checked on staging" });

    await user.click(screen.getByTestId("rehearse-run"));
    await push("rehearsal-progress", { step: "checkout", ok: true, detail: "order created" });
    await push("rehearsal-progress", { step: "authorise", ok: false, detail: "webhook did not arrive in 10 s" });
    await waitFor(() => expect(screen.getByText("webhook did not arrive in 10 s")).toBeInTheDocument());
    finish({ ok: false, steps: [{ step: "checkout", ok: true, detail: "order created" }, { step: "authorise", ok: false, detail: "webhook did not arrive in 10 s" }] });
    expect(await screen.findByTestId("rehearse-result")).toHaveAttribute("data-ok", "false");
  });
});
