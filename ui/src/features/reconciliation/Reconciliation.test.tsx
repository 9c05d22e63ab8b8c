import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { emit } from "@tauri-apps/api/event";
import { mockWindows } from "@tauri-apps/api/mocks";
import { describe, expect, it } from "vitest";
import { SANDBOX_INFO, sampleDetail } from "../../ipc/mock/fixtures";
import { callsTo, push, refusal, renderApp, scriptShell } from "../../test/harness";
import { LIST, ROWS, answer, view } from "../../ipc/mock/statements";

const outcomes = () => screen.getAllByTestId("recon-row").map((r) => r.getAttribute("data-outcome"));

describe("reconciliation: the list", () => {
  it("says which statement balances, opens one, and is reachable with Alt+0", async () => {
    const user = userEvent.setup({ delay: null });
    const calls = scriptShell({ statements_list: () => LIST, statement_show: () => view() });
    renderApp("#/orders");
    await user.keyboard("{Alt>}0{/Alt}");
    expect(await screen.findAllByTestId("statement-row")).toHaveLength(2);
    expect(window.location.hash).toBe("#/reconciliation");
    expect(screen.getByTestId("nav-reconciliation")).toHaveAttribute("aria-current", "page");
    expect(screen.getByTestId("nav-reconciliation")).toHaveAttribute("title", "Alt+0");
    const states = screen.getAllByTestId("statement-state");
    expect(states.map((s) => s.textContent)).toEqual(["Differences: 3", "Balanced"]);
    expect(states[0]).toHaveClass("tone-warn");
    expect(screen.getAllByTestId("statement-row")[0]).toHaveTextContent("1 Dec 2026 to 7 Dec 2026 (Asia/Riyadh)");

    await user.click(screen.getAllByTestId("statement-open")[0] as HTMLElement);
    expect(await screen.findByTestId("statement-view")).toBeInTheDocument();
    expect(callsTo(calls, "statement_show")[0]?.args).toEqual({ id: 7 });
    await user.click(screen.getByTestId("statement-back"));
    expect(await screen.findAllByTestId("statement-row")).toHaveLength(2);
  });

  it("shows an empty list with what to do", async () => {
    scriptShell({ statements_list: () => [] });
    renderApp("#/reconciliation");
    expect(await screen.findByText("No statement imported yet")).toBeInTheDocument();
  });
});

describe("reconciliation: importing", () => {
  it("imports the picked file and says imported, already imported or revision N with its changes", async () => {
    const user = userEvent.setup({ delay: null });
    const answers = [answer("imported"), answer("unchanged"), answer("revision", 3)];
    const calls = scriptShell({
      statements_list: () => LIST,
      statement_show: () => view(),
      "plugin:dialog|open": () => "/home/op/statement.xlsx",
      statement_import: () => answers.shift(),
    });
    renderApp("#/reconciliation");
    await screen.findAllByTestId("statement-row");

    await user.click(screen.getByTestId("statement-import"));
    expect(await screen.findByText("Statement ST-2026-49 imported: 5 lines.")).toBeInTheDocument();
    expect(callsTo(calls, "statement_import")[0]?.args).toEqual({ path: "/home/op/statement.xlsx" });
    const dialog = callsTo(calls, "plugin:dialog|open")[0]?.args.options as { filters: { extensions: string[] }[] };
    expect(dialog.filters[0]?.extensions).toEqual(["xlsx", "csv"]);
    // The imported statement opens.
    expect(await screen.findByTestId("statement-view")).toHaveAttribute("data-id", "7");

    await user.click(screen.getByTestId("statement-import"));
    expect(await screen.findByText("Statement ST-2026-49 was already imported: nothing changed.")).toBeInTheDocument();
    await user.click(screen.getByTestId("statement-import"));
    expect(await screen.findByText("Statement ST-2026-49, revision 2, imported: 3 changes since revision 1.")).toBeInTheDocument();
  });

  it("imports nothing when the picker is cancelled, and shows a refusal with its code", async () => {
    const user = userEvent.setup({ delay: null });
    let picked: string | null = null;
    const calls = scriptShell({
      statements_list: () => LIST,
      "plugin:dialog|open": () => picked,
      statement_import: () => refusal("statement_other_merchant", "statement for merchant m-43, this console's is m-42"),
    });
    renderApp("#/reconciliation");
    await screen.findAllByTestId("statement-row");
    await user.click(screen.getByTestId("statement-import"));
    await waitFor(() => expect(callsTo(calls, "plugin:dialog|open")).toHaveLength(1));
    expect(callsTo(calls, "statement_import")).toHaveLength(0);

    picked = "/home/op/other.csv";
    await user.click(screen.getByTestId("statement-import"));
    expect(await screen.findByTestId("error-state")).toHaveAttribute("data-code", "statement_other_merchant");
  });
});

describe("reconciliation: one statement", () => {
  it("shows only the differences first, filters by outcome, and names fee problems", async () => {
    const user = userEvent.setup({ delay: null });
    sessionStorage.setItem("mizan.reconciliation.open", "7");
    scriptShell({ statements_list: () => LIST, statement_show: () => view() });
    renderApp("#/reconciliation");
    await screen.findByTestId("statement-view");
    expect(screen.getByTestId("recon-chip-differences")).toHaveAttribute("aria-checked", "true");
    expect(outcomes()).toEqual(["amount_differs", "fees_inconsistent", "not_in_mizan"]);
    expect(screen.getByTestId("recon-total-refunded")).toHaveAttribute("data-amount", "-100.00");
    expect(screen.getByText("VAT 1.05, expected 1.35")).toBeInTheDocument();
    const differs = screen.getAllByTestId("recon-row")[0] as HTMLElement;
    expect([...differs.querySelectorAll("[data-amount]")].map((e) => e.textContent)).toEqual(["210.00 SAR", "200.00 SAR", "448.27 SAR"]);
    expect(within(differs).getByTestId("recon-order")).toHaveAttribute("href", "#/orders/o-3");
    expect(within(differs).getByTestId("recon-outcome")).toHaveTextContent("Amount differs");

    await user.click(screen.getByTestId("recon-chip-matched"));
    expect(outcomes()).toEqual(["matched", "matched"]);
    expect(screen.getByTestId("recon-chip-matched")).toHaveTextContent("Matched2");
    expect(screen.queryByTestId("recon-chip-net_zero")).toBeNull();
    await user.click(screen.getByTestId("recon-chip-all"));
    expect(outcomes()).toHaveLength(5);
  });

  it("shows every row of a balanced statement", async () => {
    sessionStorage.setItem("mizan.reconciliation.open", "7");
    scriptShell({ statements_list: () => LIST, statement_show: () => view(ROWS.filter((r) => r.outcome === "matched")) });
    renderApp("#/reconciliation");
    await screen.findByTestId("statement-view");
    expect(screen.getByTestId("recon-chip-all")).toHaveAttribute("aria-checked", "true");
    expect(outcomes()).toEqual(["matched", "matched"]);
    expect(screen.queryAllByTestId("recon-repair")).toHaveLength(0);
  });

  it("offers the repair only on a line Mizan lacks, and shows the statement matched again", async () => {
    const user = userEvent.setup({ delay: null });
    sessionStorage.setItem("mizan.reconciliation.open", "7");
    const repaired = view(ROWS.map((r) => (r.outcome === "not_in_mizan" ? { ...r, outcome: "matched" as const, ledger_amount: "460.00" } : r)));
    const calls = scriptShell({ statements_list: () => LIST, statement_show: () => view(), statement_repair_order: () => repaired });
    renderApp("#/reconciliation");
    await screen.findByTestId("statement-view");
    await user.click(screen.getByTestId("recon-chip-all"));
    const repairs = screen.getAllByTestId("recon-repair");
    expect(repairs).toHaveLength(1);
    expect(repairs[0]?.closest("tr")).toHaveAttribute("data-outcome", "not_in_mizan");
    expect(repairs[0]).toHaveTextContent("Fetch order and match again");

    await user.click(repairs[0] as HTMLElement);
    expect(await screen.findByText("Order o-9 read again from Tamara and the statement matched again.")).toBeInTheDocument();
    expect(callsTo(calls, "statement_repair_order")[0]?.args).toEqual({ id: 7, orderId: "o-9" });
    await waitFor(() => expect(screen.queryAllByTestId("recon-repair")).toHaveLength(0));
    expect(screen.getAllByTestId("recon-row").find((r) => r.getAttribute("data-order") === "o-9")).toHaveAttribute("data-outcome", "matched");
  });

  it("exports the report and asks before writing over a file", async () => {
    const user = userEvent.setup({ delay: null });
    sessionStorage.setItem("mizan.reconciliation.open", "7");
    let exists = true;
    const calls = scriptShell({
      statements_list: () => LIST,
      statement_show: () => view(),
      "plugin:dialog|save": () => "/home/op/recon.csv",
      statement_export: (a) => (exists && !a.overwrite ? refusal("export_file_exists", "/home/op/recon.csv exists") : 6),
    });
    renderApp("#/reconciliation");
    await screen.findByTestId("statement-view");
    await user.click(screen.getByTestId("statement-export"));
    const dialog = await screen.findByTestId("export-replace-dialog");
    expect(within(dialog).getByText("/home/op/recon.csv")).toBeInTheDocument();
    expect((callsTo(calls, "plugin:dialog|save")[0]?.args.options as { defaultPath: string }).defaultPath).toBe("ST-2026-49-r1-reconciliation.csv");
    await user.click(screen.getByTestId("export-replace-keep"));
    expect(callsTo(calls, "statement_export")).toHaveLength(1);

    await user.click(screen.getByTestId("statement-export"));
    await user.click(await screen.findByTestId("export-replace-confirm"));
    expect(await screen.findByText("Report written: 6 rows in /home/op/recon.csv.")).toBeInTheDocument();
    expect(callsTo(calls, "statement_export").at(-1)?.args).toEqual({ id: 7, path: "/home/op/recon.csv", overwrite: true });
    exists = false;
  });

  it("speaks Arabic right to left, amounts and codes unchanged", async () => {
    sessionStorage.setItem("mizan.reconciliation.open", "7");
    scriptShell({ app_info: () => ({ ...SANDBOX_INFO, locale: "ar" }), statements_list: () => LIST, statement_show: () => view() });
    renderApp("#/reconciliation");
    await screen.findByTestId("statement-view");
    await waitFor(() => expect(document.documentElement.dir).toBe("rtl"));
    expect(screen.getByRole("heading", { level: 1 })).toHaveTextContent("المطابقة");
    const badge = screen.getAllByTestId("recon-outcome").find((b) => b.getAttribute("data-outcome") === "not_in_mizan");
    expect(badge).toHaveTextContent("غير موجود في ميزان");
    expect(screen.getByText("الضريبة 1.05، والمتوقع 1.35")).toBeInTheDocument();
    expect(screen.getByTestId("recon-repair")).toHaveTextContent("اجلب الطلب وأعد المطابقة");
  });
});

describe("reconciliation: dropping a file", () => {
  it("imports one statement file dropped on the window and refuses anything else", async () => {
    mockWindows("main");
    const calls = scriptShell({ statements_list: () => LIST, statement_show: () => view(), statement_import: () => answer("imported") });
    renderApp("#/reconciliation");
    await screen.findAllByTestId("statement-row");
    await waitFor(async () => {
      await emit("tauri://drag-over", { paths: [], position: { x: 1, y: 1 } });
      expect(screen.getByTestId("reconciliation")).toHaveAttribute("data-dragging", "true");
    });
    await emit("tauri://drag-drop", { paths: ["/home/op/a.csv", "/home/op/b.csv"], position: { x: 1, y: 1 } });
    expect(await screen.findByText("Drop one statement file at a time.")).toBeInTheDocument();
    expect(screen.getByTestId("reconciliation")).not.toHaveAttribute("data-dragging");
    await emit("tauri://drag-drop", { paths: ["/home/op/notes.txt"], position: { x: 1, y: 1 } });
    await emit("tauri://drag-drop", { paths: ["/home/op/Statement.XLSX"], position: { x: 1, y: 1 } });
    expect(await screen.findByText("Statement ST-2026-49 imported: 5 lines.")).toBeInTheDocument();
    expect(callsTo(calls, "statement_import").map((c) => c.args)).toEqual([{ path: "/home/op/Statement.XLSX" }]);
  });
});

describe("reconciliation: on the order's screen", () => {
  it("names the statement that settled each capture and refund, and opens it", async () => {
    const user = userEvent.setup({ delay: null });
    const d = sampleDetail({
      settlements: [
        { statement: 7, statement_id: "ST-2026-49", row: 12, transaction_date: "2026-12-02", event: "captured", currency: "SAR", amount: "460.00", total_fees: "10.20", vat: "1.53", payable: "448.27" },
        { statement: 7, statement_id: "ST-2026-49", row: 13, transaction_date: "2026-12-03", event: "refunded", currency: "SAR", amount: "-100.00", total_fees: "0.00", vat: "0.00", payable: "-100.00" },
      ],
    });
    const calls = scriptShell({ order_detail: () => d, statements_list: () => LIST, statement_show: () => view() });
    renderApp(`#/orders/${d.order.order_id}`);
    const lines = await screen.findAllByTestId("order-settlement");
    expect(lines[0]).toHaveTextContent("Capture 460.00 SAR Settled in statement ST-2026-49 (row 12): fees 10.20, VAT 1.53, payable 448.27");
    expect(lines[1]).toHaveTextContent("Refund -100.00 SAR Settled in statement ST-2026-49 (row 13)");
    await user.click(within(lines[0] as HTMLElement).getByTestId("order-settlement-open"));
    expect(await screen.findByTestId("statement-view")).toHaveAttribute("data-id", "7");
    expect(callsTo(calls, "statement_show")[0]?.args).toEqual({ id: 7 });
  });

  it("shows nothing when no statement carries the order", async () => {
    const d = sampleDetail();
    scriptShell({ order_detail: () => d });
    renderApp(`#/orders/${d.order.order_id}`);
    await screen.findByTestId("order-detail");
    expect(screen.queryByTestId("order-settlements")).toBeNull();
  });
});

describe("reconciliation: live", () => {
  it("matches again when an order changes", async () => {
    sessionStorage.setItem("mizan.reconciliation.open", "7");
    let served = 0;
    const calls = scriptShell({ statements_list: () => LIST, statement_show: () => (served++ === 0 ? view() : view(ROWS.filter((r) => r.outcome === "matched"))) });
    renderApp("#/reconciliation");
    await screen.findByTestId("statement-view");
    expect(screen.getByTestId("statement-view")).toHaveAttribute("data-balanced", "false");
    await push("order-changed", { order_id: "o-9", status: "fully_captured" });
    await waitFor(() => expect(screen.getByTestId("statement-view")).toHaveAttribute("data-balanced", "true"));
    expect(callsTo(calls, "statement_show")).toHaveLength(2);
  });
});

describe("reconciliation: the statement's own summary", () => {
  it("says which stated totals the lines do not add up to", async () => {
    const off = { ...view(), balanced: false, totals_differences: [{ figure: "sales", currency: "SAR", stated: "1460.00", lines: "1450.00" }] };
    scriptShell({ statements_list: () => LIST, statement_show: () => off });
    renderApp("#/reconciliation");
    const user = userEvent.setup({ delay: null });
    await user.click((await screen.findAllByTestId("statement-open"))[0] as HTMLElement);
    const notice = await screen.findByTestId("recon-stated-totals");
    expect(notice).toHaveTextContent("does not add up");
    expect(within(notice).getByText(/Sales/).closest("li")).toHaveAttribute("data-figure", "sales");
    expect(notice).toHaveTextContent("1,460.00");
    expect(notice).toHaveTextContent("1,450.00");
  });

  it("shows nothing when the summary agrees", async () => {
    scriptShell({ statements_list: () => LIST, statement_show: () => view() });
    renderApp("#/reconciliation");
    const user = userEvent.setup({ delay: null });
    await user.click((await screen.findAllByTestId("statement-open"))[0] as HTMLElement);
    await screen.findByTestId("statement-view");
    expect(screen.queryByTestId("recon-stated-totals")).toBeNull();
  });
});
