// The month tab: one calendar month (previous / next, the month named in the UI's language,
// the current month first), per currency what Tamara's statements say against what the bank
// received, and the difference split into open items, what was paid for other months, bank fees
// and the unexplained rest — which always add up to it (the core guarantees it). "Fees + VAT" is
// marked as the figure that ties to Tamara's monthly tax invoice.
import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { ipc, type MonthFiguresView } from "../../ipc";
import { qk } from "../../app/queryKeys";
import { useMarkReady } from "../../app/ready";
import { Amount } from "../../components/Amount";
import { Empty, ErrorState, Loading } from "../../components/States";
import { formatMonth, localTimeZone, monthIn, shiftMonth } from "../../lib/time";
import { useStoredState } from "../../lib/useStoredState";

export const MONTH_KEY = "mizan.reconciliation.month";
const storage = typeof sessionStorage === "undefined" ? undefined : sessionStorage;

type Figure = keyof Omit<MonthFiguresView, "currency" | "statements" | "payouts">;
const FIGURES: Figure[] = ["captured", "refunded", "fees", "vat", "fees_and_vat", "net_payable", "paid", "difference"];
// How each term adds up to the difference.
const SPLIT: [Figure, string][] = [
  ["open_items", ""],
  ["paid_for_other_months", "−"],
  ["payout_fees", "+"],
  ["unexplained", "+"],
];

function CurrencyMonth({ f }: { f: MonthFiguresView }) {
  const { t } = useTranslation();
  const row = (k: Figure, op = "") => (
    <tr key={k} data-testid={`month-${k}`} className={k === "fees_and_vat" || k === "difference" ? "strong" : undefined}>
      <th scope="row">
        {op && <span className="muted">{op} </span>}
        {t(`reconciliation.month.figure.${k}`)}
        {k === "fees_and_vat" && (
          <div className="muted small" data-testid="month-tax-invoice">
            {t("reconciliation.month.taxInvoice")}
          </div>
        )}
      </th>
      <td className="end">
        <Amount value={f[k]} currency={f.currency} />
      </td>
    </tr>
  );
  return (
    <div className="panel" data-testid="month-currency" data-currency={f.currency}>
      <h2 dir="ltr">{f.currency}</h2>
      <table className="data-table">
        <tbody>{FIGURES.map((k) => row(k))}</tbody>
      </table>
      <h3>{t("reconciliation.month.split")}</h3>
      <table className="data-table">
        <tbody>{SPLIT.map(([k, op]) => row(k, op))}</tbody>
      </table>
      <p className="muted small">
        {t("reconciliation.month.statements")}:{" "}
        <span className="mono" dir="ltr">
          {f.statements.join(", ") || "—"}
        </span>{" "}
        · {t("reconciliation.month.payouts", { n: f.payouts.length })}
      </p>
    </div>
  );
}

export function MonthTab() {
  const { t, i18n } = useTranslation();
  const [month, setMonth] = useStoredState(MONTH_KEY, monthIn(localTimeZone(), new Date()), storage);
  const view = useQuery({ queryKey: qk.month(month), queryFn: () => ipc.settlementMonth(month) });
  useMarkReady(!view.isPending);
  const shown = formatMonth(month, i18n.language);

  return (
    <>
      <div className="panel" data-testid="month-tab">
        <p className="muted">{t("reconciliation.month.explain")}</p>
        <div className="toolbar" role="group" aria-label={t("reconciliation.month.picker")}>
          <button type="button" onClick={() => setMonth(shiftMonth(month, -1))} data-testid="month-prev">
            {t("reconciliation.month.previous")}
          </button>
          <strong data-testid="month-shown" data-month={month} aria-live="polite">
            {shown}
          </strong>
          <button type="button" onClick={() => setMonth(shiftMonth(month, 1))} data-testid="month-next">
            {t("reconciliation.month.next")}
          </button>
        </div>
      </div>
      {view.isPending ? (
        <Loading />
      ) : view.error ? (
        <ErrorState error={view.error} onRetry={() => void view.refetch()} />
      ) : view.data.currencies.length === 0 ? (
        <Empty title={t("reconciliation.month.emptyTitle", { month: shown })} hint={t("reconciliation.month.emptyHint")} />
      ) : (
        view.data.currencies.map((f) => <CurrencyMonth key={f.currency} f={f} />)
      )}
    </>
  );
}
