import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { emit } from "@tauri-apps/api/event";
import { mockWindows } from "@tauri-apps/api/mocks";
import { describe, expect, it } from "vitest";
import { SANDBOX_INFO } from "../../ipc/mock/fixtures";
import { FIGURES, PAYOUTS, bankAnswer, monthSummary, payout } from "../../ipc/mock/payouts";
import { LIST, answer, view } from "../../ipc/mock/statements";
import { callsTo, refusal, renderApp, scriptShell } from "../../test/harness";
import { localTimeZone, monthIn } from "../../lib/time";

const onTab = (tab: string) => sessionStorage.setItem("mizan.reconciliation.tab", JSON.stringify(tab));

describe("reconciliation: tabs", () => {
  it("switches between statements, payouts and month, and a payout's statement opens on the statements tab", async () => {
    const user = userEvent.setup({ delay: null });
    const calls = scriptShell({ statements_list: () => LIST, statement_show: () => view(), payouts_list: () => PAYOUTS, settlement_month: (a) => monthSummary(String(a.month)) });
    renderApp("#/reconciliation");
    expect(await screen.findAllByTestId("statement-row")).toHaveLength(2);
    expect(screen.getByTestId("recon-tab-statements")).toHaveAttribute("aria-selected", "true");
    expect(callsTo(calls, "payouts_list")).toHaveLength(0);

    await user.click(screen.getByTestId("recon-tab-payouts"));
    expect(await screen.findAllByTestId("payout-row")).toHaveLength(2);
    expect(screen.queryByTestId("statement-list")).toBeNull();
    expect(screen.getByTestId("recon-tab-payouts")).toHaveAttribute("aria-selected", "true");

    await user.click(screen.getByTestId("recon-tab-month"));
    expect(await screen.findByTestId("month-currency")).toBeInTheDocument();
    expect(screen.queryByTestId("payout-list")).toBeNull();

    await user.click(screen.getByTestId("recon-tab-payouts"));
    await user.click(within((await screen.findAllByTestId("payout-row"))[0] as HTMLElement).getByTestId("payout-statement"));
    expect(await screen.findByTestId("statement-view")).toHaveAttribute("data-id", "7");
    expect(screen.getByTestId("recon-tab-statements")).toHaveAttribute("aria-selected", "true");
  });
});

describe("reconciliation: payouts", () => {
  it("shows what each payout settles with its difference explained in words, the code kept as data", async () => {
    onTab("payouts");
    scriptShell({ payouts_list: () => PAYOUTS });
    renderApp("#/reconciliation");
    const rows = await screen.findAllByTestId("payout-row");
    const codes = screen.getAllByTestId("payout-explanation");
    expect(codes.map((c) => c.getAttribute("data-explanation"))).toEqual(["payout_fee", "unexplained"]);
    expect(codes.map((c) => c.textContent)).toEqual(["Bank fee", "Unexplained"]);
    expect(within(rows[0] as HTMLElement).getByTestId("payout-difference")).toHaveAttribute("data-amount", "2.00");
    expect(rows[0]).toHaveTextContent("ST-2026-49");
    expect(rows[1]).toHaveTextContent("No statement matches this deposit.");
    expect(rows[1]).toHaveTextContent("Bank file · row 3");
    expect(screen.getAllByTestId("open-item").map((r) => r.getAttribute("data-id"))).toEqual(["8"]);
  });

  it("adds a payout through the dialog with every field sent as the shell expects", async () => {
    const user = userEvent.setup({ delay: null });
    onTab("payouts");
    let served = 0;
    const calls = scriptShell({ payouts_list: () => (served++ === 0 ? PAYOUTS : { ...PAYOUTS, open_items: [] }), payout_add: () => payout({ id: 3, amount: "97.70", statements: [PAYOUTS.open_items[0]!], explanation: "none", difference: "0.00" }) });
    renderApp("#/reconciliation");
    await screen.findAllByTestId("payout-row");
    await user.click(screen.getByTestId("payout-add"));
    const dialog = await screen.findByTestId("payout-add-dialog");
    expect(within(dialog).getByTestId("payout-save")).toBeDisabled();
    await user.type(within(dialog).getByTestId("payout-amount"), "97.70");
    const day = within(dialog).getByTestId("payout-date");
    await user.clear(day);
    await user.type(day, "2026-12-20");
    expect(within(dialog).getByTestId("payout-date-shown")).toHaveTextContent("20 Dec 2026");
    await user.type(within(dialog).getByTestId("payout-reference"), " BANK-2 ");
    await user.click(within(dialog).getByTestId("payout-statement-tick"));
    await user.type(within(dialog).getByTestId("payout-max-fee"), "1");
    await user.type(within(dialog).getByTestId("payout-note"), "week 50");
    await user.click(within(dialog).getByTestId("payout-save"));

    expect(await screen.findByText("Payout of 97.70 SAR recorded: it settles 1 statements.")).toBeInTheDocument();
    expect(callsTo(calls, "payout_add")[0]?.args).toEqual({
      input: { amount: "97.70", currency: "SAR", paid_on: "2026-12-20", reference: "BANK-2", statements: [8], max_fee: "1", note: "week 50" },
    });
    await waitFor(() => expect(screen.queryByTestId("payout-add-dialog")).toBeNull());
    await waitFor(() => expect(callsTo(calls, "payouts_list")).toHaveLength(2));
    expect(await screen.findByText("Every statement is settled by a payout.")).toBeInTheDocument();
  });

  it("keeps the dialog open with a refusal's translated code", async () => {
    const user = userEvent.setup({ delay: null });
    onTab("payouts");
    const calls = scriptShell({ payouts_list: () => PAYOUTS, payout_add: () => refusal("payout_conflict", 'bank reference "BANK-1" is payout 1 already') });
    renderApp("#/reconciliation");
    await screen.findAllByTestId("payout-row");
    await user.click(screen.getByTestId("payout-add"));
    const dialog = await screen.findByTestId("payout-add-dialog");
    await user.type(within(dialog).getByTestId("payout-amount"), "446.27");
    await user.type(within(dialog).getByTestId("payout-reference"), "BANK-1");
    await user.click(within(dialog).getByTestId("payout-save"));
    expect(await within(dialog).findByTestId("error-state")).toHaveAttribute("data-code", "payout_conflict");
    expect(within(dialog).getByText(/recorded already, or the statement is settled by another payout/)).toBeInTheDocument();
    const sent = callsTo(calls, "payout_add")[0]?.args.input as { statements: number[]; max_fee: string | null; note: string | null };
    expect([sent.statements, sent.max_fee, sent.note]).toEqual([[], null, null]);
  });

  it("imports the picked bank file with every credit when asked, and shows a bad file's code", async () => {
    const user = userEvent.setup({ delay: null });
    onTab("payouts");
    // Built when asked: a refusal made up front would be a rejection nobody handles yet.
    const answers = [() => bankAnswer(1), () => refusal("bank_file_invalid", "row 3, column Credit: 1O0.00 is not an amount")];
    const calls = scriptShell({ payouts_list: () => PAYOUTS, "plugin:dialog|open": () => "/home/op/bank.csv", payout_import: () => answers.shift()?.() });
    renderApp("#/reconciliation");
    await screen.findAllByTestId("payout-row");
    await user.click(screen.getByTestId("payout-all-credits"));
    await user.click(screen.getByTestId("payout-import"));
    expect(await screen.findByText("Bank file imported: 1 payouts, 1 recorded before, 2 rows not Tamara's deposits.")).toBeInTheDocument();
    expect(callsTo(calls, "payout_import")[0]?.args).toEqual({ path: "/home/op/bank.csv", currency: "SAR", allCredits: true });
    const dialog = callsTo(calls, "plugin:dialog|open")[0]?.args.options as { filters: { extensions: string[] }[] };
    expect(dialog.filters[0]?.extensions).toEqual(["csv"]);

    await user.click(screen.getByTestId("payout-import"));
    expect(await screen.findByTestId("error-state")).toHaveAttribute("data-code", "bank_file_invalid");
    expect(screen.getByTestId("error-state")).toHaveTextContent("row 3, column Credit");
  });

  it("takes no statement from a file dropped on the payouts tab", async () => {
    const user = userEvent.setup({ delay: null });
    mockWindows("main");
    onTab("payouts");
    const calls = scriptShell({ payouts_list: () => PAYOUTS, statements_list: () => LIST, statement_show: () => view(), statement_import: () => answer("imported") });
    renderApp("#/reconciliation");
    await screen.findAllByTestId("payout-row");
    await emit("tauri://drag-drop", { paths: ["/home/op/bank.csv"], position: { x: 1, y: 1 } });
    // The same drop on the statements tab imports: the listener is there only on that tab.
    await user.click(screen.getByTestId("recon-tab-statements"));
    await screen.findAllByTestId("statement-row");
    await waitFor(async () => {
      await emit("tauri://drag-drop", { paths: ["/home/op/statement.csv"], position: { x: 1, y: 1 } });
      expect(callsTo(calls, "statement_import").length).toBeGreaterThan(0);
    });
    expect(callsTo(calls, "statement_import")[0]?.args).toEqual({ path: "/home/op/statement.csv" });
  });

  it("speaks Arabic: the explanation translated, the code unchanged", async () => {
    onTab("payouts");
    scriptShell({ app_info: () => ({ ...SANDBOX_INFO, locale: "ar" }), payouts_list: () => PAYOUTS });
    renderApp("#/reconciliation");
    await screen.findAllByTestId("payout-row");
    await waitFor(() => expect(document.documentElement.dir).toBe("rtl"));
    const badge = screen.getAllByTestId("payout-explanation")[0];
    expect(badge).toHaveAttribute("data-explanation", "payout_fee");
    expect(badge).toHaveTextContent("رسوم البنك");
    expect(screen.getByTestId("recon-tab-payouts")).toHaveTextContent("الدفعات");
  });
});

describe("reconciliation: the month", () => {
  it("opens on the current month", async () => {
    onTab("month");
    const calls = scriptShell({ settlement_month: (a) => monthSummary(String(a.month)) });
    renderApp("#/reconciliation");
    await screen.findByTestId("month-currency");
    expect(callsTo(calls, "settlement_month")[0]?.args).toEqual({ month: monthIn(localTimeZone(), new Date()) });
  });

  it("steps month by month across the year, named in words, with fees + VAT tied to the tax invoice", async () => {
    const user = userEvent.setup({ delay: null });
    onTab("month");
    sessionStorage.setItem("mizan.reconciliation.month", JSON.stringify("2026-12"));
    const calls = scriptShell({ settlement_month: (a) => monthSummary(String(a.month), a.month === "2026-12" ? [FIGURES] : []) });
    renderApp("#/reconciliation");
    const sar = await screen.findByTestId("month-currency");
    expect(screen.getByTestId("month-shown")).toHaveTextContent("December 2026");
    expect(sar).toHaveAttribute("data-currency", "SAR");
    const tie = within(sar).getByTestId("month-fees_and_vat");
    expect(tie).toHaveTextContent("Fees + VAT");
    expect(tie).toHaveTextContent("Ties to Tamara's monthly tax invoice");
    expect(tie.querySelector("[data-amount]")).toHaveAttribute("data-amount", "15.18");
    expect(within(sar).getByTestId("month-unexplained").querySelector("[data-amount]")).toHaveAttribute("data-amount", "-56.15");
    expect(within(sar).getByTestId("month-paid_for_other_months")).toHaveTextContent("− Paid for other months");

    await user.click(screen.getByTestId("month-prev"));
    expect(await screen.findByText("Nothing in November 2026")).toBeInTheDocument();
    await user.click(screen.getByTestId("month-next"));
    await user.click(screen.getByTestId("month-next"));
    expect(await screen.findByText("Nothing in January 2027")).toBeInTheDocument();
    expect(callsTo(calls, "settlement_month").map((c) => c.args.month)).toEqual(["2026-12", "2026-11", "2027-01"]);
    expect(screen.getByTestId("month-shown")).toHaveAttribute("data-month", "2027-01");
  });

  it("names the month in Arabic", async () => {
    onTab("month");
    sessionStorage.setItem("mizan.reconciliation.month", JSON.stringify("2026-12"));
    scriptShell({ app_info: () => ({ ...SANDBOX_INFO, locale: "ar" }), settlement_month: (a) => monthSummary(String(a.month)) });
    renderApp("#/reconciliation");
    await screen.findByTestId("month-currency");
    await waitFor(() => expect(screen.getByTestId("month-shown")).toHaveTextContent("ديسمبر 2026"));
    expect(screen.getByTestId("month-fees_and_vat")).toHaveTextContent("يطابق فاتورة تمارا الضريبية الشهرية");
  });
});
