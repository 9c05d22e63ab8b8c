import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { PRODUCTION_INFO } from "../../ipc/mock/fixtures";
import { callsTo, renderApp, scriptShell } from "../../test/harness";

const settingsShell = {
  settings: () => ({ receiver_port: 8787, public_url: null, auto_authorise: true, reconcile_every_secs: 60, operator: "Noura", retention_rejected_days: 7, retention_processed_days: 90, rejection_alert_per_10_min: 50 }),
  credentials_status: () => [
    { environment: "sandbox", api_token: { set: true, last4: "x9Qa" }, notification_token: { set: false, last4: null }, public_key: { set: false, last4: null } },
  ],
};

describe("settings", () => {
  it("switches to production only after PRODUCTION is typed", async () => {
    const user = userEvent.setup({ delay: null });
    const calls = scriptShell({ ...settingsShell, switch_environment: () => PRODUCTION_INFO });
    renderApp("#/settings");
    await user.click(await screen.findByTestId("env-switch"));
    const dialog = screen.getByTestId("env-switch-dialog");
    const confirm = within(dialog).getByTestId("env-confirm");
    expect(confirm).toBeDisabled();
    await user.type(within(dialog).getByTestId("env-confirm-text"), "production");
    expect(confirm).toBeDisabled();
    await user.clear(within(dialog).getByTestId("env-confirm-text"));
    await user.type(within(dialog).getByTestId("env-confirm-text"), "PRODUCTION");
    await user.click(confirm);
    await waitFor(() => expect(screen.getByTestId("env-badge")).toHaveTextContent("PRODUCTION"));
    expect(callsTo(calls, "switch_environment")[0]?.args).toEqual({ environment: "production", confirmText: "PRODUCTION" });
    expect(screen.getByTestId("app-ready")).toHaveClass("production");
  });

  it("shows credentials masked and strips pasted whitespace before storing", async () => {
    const user = userEvent.setup({ delay: null });
    const calls = scriptShell({ ...settingsShell, credentials_set: () => null });
    renderApp("#/settings");
    const table = await screen.findByTestId("credentials");
    expect(table).toHaveTextContent("••••x9Qa");
    expect(table).toHaveTextContent("not set");
    await user.click(within(table).getAllByRole("button", { name: "Set…" })[1] as HTMLElement);
    const input = screen.getByLabelText("Notification token");
    expect(input).toHaveAttribute("type", "password");
    await user.click(input);
    await user.paste("eyJhbGciOiJIUzI1NiJ9.\n  eyJpc3MiOiJUYW1hcmEifQ.\tsig ");
    await user.click(within(screen.getByRole("dialog")).getByRole("button", { name: "Save" }));
    await waitFor(() => expect(callsTo(calls, "credentials_set")).toHaveLength(1));
    expect(callsTo(calls, "credentials_set")[0]?.args).toEqual({
      environment: "sandbox",
      kind: "notification_token",
      value: "eyJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJUYW1hcmEifQ.sig",
    });
  });

  it("saves the inbox's retention and alert, and refuses a zero-day retention before saving", async () => {
    const user = userEvent.setup({ delay: null });
    const calls = scriptShell({ ...settingsShell, settings_save: (a) => (a as { settings: unknown }).settings });
    renderApp("#/settings");
    const keep = await screen.findByLabelText("Keep refused deliveries (days)");
    await user.clear(keep);
    await user.type(keep, "0");
    expect(screen.getByText("Keep deliveries 1 to 3650 days.")).toBeInTheDocument();
    const save = screen.getAllByRole("button", { name: "Save" }).find((b) => b.getAttribute("type") === "submit") as HTMLElement;
    expect(save).toBeDisabled();
    await user.clear(keep);
    await user.type(keep, "3");
    const alert = screen.getByLabelText("Alert at refused deliveries per 10 minutes");
    await user.clear(alert);
    await user.type(alert, "20");
    await user.click(save);
    await waitFor(() => expect(callsTo(calls, "settings_save")).toHaveLength(1));
    expect(callsTo(calls, "settings_save")[0]?.args).toMatchObject({
      settings: { retention_rejected_days: 3, retention_processed_days: 90, rejection_alert_per_10_min: 20 },
    });
  });
});
