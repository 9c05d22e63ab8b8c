import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { PRODUCTION_INFO, SANDBOX_INFO } from "../../ipc/mock/fixtures";
import { callsTo, renderApp, scriptShell } from "../../test/harness";

const base = {
  settings: () => ({ receiver_port: 8787, public_url: null, auto_authorise: true, reconcile_every_secs: 60, operator: "Noura", retention_rejected_days: 7, retention_processed_days: 90, rejection_alert_per_10_min: 50 }),
};
const unset = { set: false, last4: null, source: "unset" };

describe("environment dialog", () => {
  it("warns before switching to production when no production token is set", async () => {
    const user = userEvent.setup({ delay: null });
    scriptShell({
      ...base,
      credentials_status: () => [
        { environment: "sandbox", api_token: { set: true, last4: "x9Qa", source: "keychain" }, notification_token: unset, public_key: unset, keychain_error: null },
        { environment: "production", api_token: unset, notification_token: unset, public_key: unset, keychain_error: null },
      ],
    });
    renderApp("#/settings");
    await user.click(await screen.findByTestId("env-switch"));
    const dialog = screen.getByTestId("env-switch-dialog");
    expect(await within(dialog).findByTestId("env-no-token")).toHaveTextContent("No production API token");
  });

  it("Enter in Switch to sandbox switches (the submit button has the focus)", async () => {
    const user = userEvent.setup({ delay: null });
    const calls = scriptShell({
      ...base,
      app_info: () => PRODUCTION_INFO,
      credentials_status: () => [],
      switch_environment: () => SANDBOX_INFO,
    });
    renderApp("#/settings");
    await user.click(await screen.findByTestId("env-switch"));
    const dialog = screen.getByTestId("env-switch-dialog");
    expect(within(dialog).getByTestId("env-confirm")).toHaveFocus();
    await user.keyboard("{Enter}");
    await waitFor(() => expect(callsTo(calls, "switch_environment")).toHaveLength(1));
    expect(callsTo(calls, "switch_environment")[0]?.args.environment).toBe("sandbox");
  });
});
