import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { MoveInput } from "../../ipc";
import { sampleDetail } from "../../ipc/mock/fixtures";
import { callsTo, refusal, renderApp, scriptShell } from "../../test/harness";

const detail = sampleDetail();
const ID = detail.order.order_id;

describe("move dialog wording", () => {
  it("opens a refund without an error; after a try, the error names no CLI flag", async () => {
    const user = userEvent.setup({ delay: null });
    const calls = scriptShell({
      order_detail: () => detail,
      move_preview: (a) => ((a.input as MoveInput).comment ? refusal("move_rejected", "x") : refusal("comment_required", "a refund needs a comment (--comment TEXT)")),
    });
    renderApp(`#/orders/${ID}`);
    await user.click(await screen.findByTestId("action-refund"));
    await waitFor(() => expect(callsTo(calls, "move_preview").length).toBeGreaterThan(0));
    await new Promise((r) => setTimeout(r, 50));
    expect(screen.queryByTestId("move-error")).toBeNull();
    const send = screen.getByTestId("move-submit");
    expect(send).toHaveClass("danger");
    expect(screen.getByTestId("move-close")).toHaveTextContent("Close");
    await user.click(send);
    const error = await screen.findByTestId("move-error");
    expect(error).toHaveAttribute("data-code", "comment_required");
    expect(error.textContent).not.toMatch(/--|mizan /);
    expect(callsTo(calls, "move_execute")).toHaveLength(0);
  });

  it("names the cancel dialog's close button Keep order", async () => {
    const user = userEvent.setup({ delay: null });
    const open = sampleDetail({ allowed: { authorise: false, capture: true, refund: false, cancel: true } });
    scriptShell({ order_detail: () => open, move_preview: () => new Promise(() => undefined) });
    renderApp(`#/orders/${ID}`);
    await user.click(await screen.findByTestId("action-cancel"));
    expect(screen.getByTestId("move-close")).toHaveTextContent("Keep order");
    expect(screen.getByTestId("move-submit")).toHaveClass("danger");
  });
});
