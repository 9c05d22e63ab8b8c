import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it } from "vitest";
import { callsTo, push, refusal, renderApp, scriptShell } from "../../test/harness";

describe("exports", () => {
  beforeEach(() => localStorage.clear());
  it("fills the path from the native save dialog and shows pushed progress until done", async () => {
    const user = userEvent.setup({ delay: null });
    let finish: (v: unknown) => void = () => undefined;
    const calls = scriptShell({
      "plugin:dialog|save": () => "/home/op/settlement-march.csv",
      export_existing: () => [],
      export_run: () => new Promise((r) => (finish = r)),
    });
    renderApp("#/exports");
    await user.selectOptions(await screen.findByTestId("export-kind"), "settlement");
    await user.type(screen.getByTestId("export-from"), "2025-03-01");
    await user.type(screen.getByTestId("export-to"), "2025-03-31");
    await user.clear(screen.getByTestId("export-timezone"));
    await user.type(screen.getByTestId("export-timezone"), "Asia/Riyadh");
    expect(screen.getByTestId("export-run")).toBeDisabled();
    await user.click(screen.getByTestId("export-choose"));
    await waitFor(() => expect(screen.getByTestId("export-path")).toHaveValue("/home/op/settlement-march.csv"));
    const dialog = callsTo(calls, "plugin:dialog|save")[0]?.args.options as { defaultPath: string; filters: unknown[] };
    expect(dialog.defaultPath).toBe("mizan-settlement-sandbox-2025-03-01_2025-03-31.csv");

    await user.click(screen.getByTestId("export-run"));
    await waitFor(() => expect(callsTo(calls, "export_run")).toHaveLength(1));
    expect(callsTo(calls, "export_run")[0]?.args).toEqual({
      kind: "settlement",
      path: "/home/op/settlement-march.csv",
      from: "2025-03-01",
      to: "2025-03-31",
      timezone: "Asia/Riyadh",
      overwrite: false,
      orderIds: null,
    });
    const bar = await screen.findByTestId("export-progress");
    expect(bar).not.toHaveAttribute("value");
    await push("export-progress", { export_id: "e1", rows: 5000, done: false });
    await waitFor(() => expect(bar).toHaveAttribute("data-rows", "5000"));
    expect(screen.getByText("5,000 rows written")).toBeInTheDocument();
    await push("export-progress", { export_id: "e1", rows: 12000, done: false });
    await waitFor(() => expect(bar).toHaveAttribute("data-rows", "12000"));
    expect(screen.queryByTestId("export-done")).toBeNull();
    expect(screen.getByTestId("export-run")).toBeDisabled();

    finish({ export_id: "e1", rows: 12345, path: "/home/op/settlement-march.csv", extra_paths: ["/home/op/settlement-march.totals.csv"] });
    const done = await screen.findByTestId("export-done");
    expect(done).toHaveTextContent("Wrote 12,345 rows to /home/op/settlement-march.csv");
    expect(done).toHaveTextContent("+ /home/op/settlement-march.totals.csv");
    expect(screen.getByTestId("export-progress")).toHaveAttribute("value", "1");
  });

  it("refuses a reversed window before asking the shell, and shows the shell's refusal", async () => {
    const user = userEvent.setup({ delay: null });
    const calls = scriptShell({ export_existing: () => [], export_run: () => refusal("export_timezone_unknown", "Unknown time zone Mars/Olympus") });
    renderApp("#/exports");
    await user.type(await screen.findByTestId("export-path"), "/tmp/x.csv");
    await user.type(screen.getByTestId("export-from"), "2025-03-31");
    await user.type(screen.getByTestId("export-to"), "2025-03-01");
    expect(screen.getByText("The end day is before the start day.")).toBeInTheDocument();
    expect(screen.getByTestId("export-run")).toBeDisabled();
    await user.clear(screen.getByTestId("export-to"));
    await user.clear(screen.getByTestId("export-timezone"));
    await user.type(screen.getByTestId("export-timezone"), "Mars/Olympus");
    await user.click(screen.getByTestId("export-run"));
    const error = await screen.findByTestId("error-state");
    expect(error).toHaveAttribute("data-code", "export_timezone_unknown");
    expect(callsTo(calls, "export_run")[0]?.args.to).toBeNull();
  });

  it("asks before replacing existing files, naming them; keeping them sends nothing", async () => {
    const user = userEvent.setup({ delay: null });
    const existing = ["/tmp/s.csv", "/tmp/s.totals.csv"];
    const calls = scriptShell({
      export_existing: () => existing,
      export_run: (a) => ({ export_id: "e1", rows: 3, path: a.path, extra_paths: [] }),
    });
    renderApp("#/exports");
    await user.type(await screen.findByTestId("export-path"), "/tmp/s.csv");
    await user.click(screen.getByTestId("export-run"));
    const files = await screen.findByTestId("export-replace-files");
    expect(files).toHaveTextContent("/tmp/s.csv");
    expect(files).toHaveTextContent("/tmp/s.totals.csv");
    expect(screen.getByTestId("export-replace-keep")).toHaveFocus();
    await user.click(screen.getByTestId("export-replace-keep"));
    expect(screen.queryByTestId("export-replace-dialog")).toBeNull();
    expect(callsTo(calls, "export_run")).toHaveLength(0);

    await user.click(screen.getByTestId("export-run"));
    await user.click(await screen.findByTestId("export-replace-confirm"));
    await screen.findByTestId("export-done");
    expect(callsTo(calls, "export_run")[0]?.args.overwrite).toBe(true);
  });

  it("proposes the new type's file name, remembers the form and fills quick ranges as ISO days", async () => {
    const user = userEvent.setup({ delay: null });
    scriptShell({ export_existing: () => [] });
    const view = renderApp("#/exports");
    await user.type(await screen.findByTestId("export-path"), "/home/op/mizan-settlement-sandbox.csv");
    await user.selectOptions(screen.getByTestId("export-kind"), "orders");
    expect(screen.getByTestId("export-path")).toHaveValue("/home/op/mizan-orders-sandbox.csv");
    await user.click(screen.getByTestId("export-range-today"));
    const from = (screen.getByTestId("export-from") as HTMLInputElement).value;
    expect(from).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(screen.getByTestId("export-from-shown").textContent).toMatch(/^\d{1,2} [A-Z][a-z]{2} \d{4}$/);
    view.unmount();
    renderApp("#/exports");
    expect(await screen.findByTestId("export-path")).toHaveValue("/home/op/mizan-orders-sandbox.csv");
    expect(screen.getByTestId("export-kind")).toHaveValue("orders");
    expect(screen.getByTestId("export-from")).toHaveValue(from);
  });
});
