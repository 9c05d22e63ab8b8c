import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { DISPUTES, UNMATCHED_DISPUTE_EVENTS } from "../../ipc/mock/fixtures";
import { callsTo, push, refusal, renderApp, scriptShell } from "../../test/harness";

const view = (openOnly: boolean, apiConfigured = true) => ({
  disputes: DISPUTES.filter((d) => !openOnly || d.open),
  unmatched: UNMATCHED_DISPUTE_EVENTS,
  response_days: 7,
  api_configured: apiConfigured,
});

describe("disputes", () => {
  it("lists disputes with status and days left, filters open ones, and keeps unrecognised events as text", async () => {
    const user = userEvent.setup({ delay: null });
    const calls = scriptShell({ disputes_list: (a) => view(Boolean(a.openOnly)) });
    renderApp("#/disputes");
    const rows = await screen.findAllByTestId("dispute-row");
    expect(rows).toHaveLength(4);
    expect(callsTo(calls, "disputes_list")[0]?.args).toEqual({ openOnly: false });
    const days = screen.getAllByTestId("dispute-days");
    expect(days.map((d) => d.textContent)).toEqual(["5 left", "2 overdue"]);
    expect(days[1]).toHaveClass("tone-bad");
    expect(within(rows[0] as HTMLElement).getByText("WEB-100003")).toHaveAttribute("href", expect.stringContaining("#/orders/"));
    expect(screen.getByText(/7 days from when a dispute began waiting/)).toBeInTheDocument();
    const unmatched = screen.getByTestId("dispute-unmatched-event");
    expect(unmatched).toHaveTextContent('{"event_type":"OrderDisputeWasEscalated","case":{"ref":"X-1"}}');

    await user.click(screen.getByTestId("disputes-open-only"));
    await waitFor(() => expect(screen.getAllByTestId("dispute-row")).toHaveLength(3));
    expect(callsTo(calls, "disputes_list").at(-1)?.args).toEqual({ openOnly: true });
  });

  it("refreshes from Tamara only where a dispute API is configured, and shows a refusal with its hint", async () => {
    const user = userEvent.setup({ delay: null });
    scriptShell({
      disputes_list: () => view(false, false),
    });
    renderApp("#/disputes");
    await screen.findAllByTestId("dispute-row");
    expect(screen.queryByTestId("disputes-refresh")).toBeNull();

    const calls = scriptShell({
      disputes_list: () => view(false, true),
      disputes_refresh: () => refusal("disputes_api_unavailable", "the configured path answered HTTP 404"),
    });
    renderApp("#/disputes");
    await user.click((await screen.findAllByTestId("disputes-refresh"))[0] as HTMLElement);
    expect(await screen.findByText(/set MIZAN_<ENV>_DISPUTES_PATH/)).toBeInTheDocument();
    expect(callsTo(calls, "disputes_refresh")).toHaveLength(1);
  });

  it("refetches when a delivery arrives and is reachable from the navigation", async () => {
    let served = 0;
    const calls = scriptShell({ disputes_list: () => (served++ === 0 ? view(false) : { ...view(false), disputes: [] }) });
    renderApp("#/disputes");
    await screen.findAllByTestId("dispute-row");
    expect(screen.getByTestId("nav-disputes")).toHaveAttribute("aria-current", "page");
    await push("delivery-received", { delivery_id: 9, order_id: null, event_type: "OrderDisputeWasUpdated", verdict: "verified" });
    await waitFor(() => expect(callsTo(calls, "disputes_list").length).toBeGreaterThan(1));
    expect(await screen.findByText("No disputes")).toBeInTheDocument();
  });

  it("sends a comment on an open dispute, at most 255 characters, and shows a refusal", async () => {
    const user = userEvent.setup({ delay: null });
    let refuseNext = true;
    const calls = scriptShell({
      disputes_list: () => view(false, true),
      dispute_comment: () => {
        if (refuseNext) {
          refuseNext = false;
          return refusal("dispute_closed", "dispute 104 is closed");
        }
        return null;
      },
    });
    renderApp("#/disputes");
    const buttons = await screen.findAllByTestId("dispute-comment");
    expect(buttons).toHaveLength(3); // the closed dispute has none
    await user.click(buttons[0] as HTMLElement);
    const send = screen.getByTestId("dispute-comment-send");
    expect(send).toBeDisabled();
    await user.type(screen.getByTestId("dispute-comment-text"), "x".repeat(256));
    expect(screen.getByTestId("dispute-comment-count")).toHaveTextContent("256 of 255 characters");
    expect(send).toBeDisabled();
    await user.clear(screen.getByTestId("dispute-comment-text"));
    await user.type(screen.getByTestId("dispute-comment-text"), "Shipped with SMSA, tracking 123");
    await user.click(send);
    expect(await screen.findByText("This dispute is closed: nothing more can be said on it.")).toBeInTheDocument();
    await user.click(send);
    await waitFor(() => expect(screen.queryByTestId("dispute-comment-dialog")).toBeNull());
    expect(callsTo(calls, "dispute_comment").at(-1)?.args).toEqual({ disputeId: "104", text: "Shipped with SMSA, tracking 123" });
  });
});
