// The payouts (each deposit with the statements it settles and its difference explained, the
// explanation's code kept as data) and the open items: statements no payout settles yet. A
// statement's id opens it on the statements tab.
import { useTranslation } from "react-i18next";
import type { PayoutExplanation, PayoutRow, StatementDueView } from "../../ipc";
import { Amount } from "../../components/Amount";
import { formatFullDay } from "../../lib/time";

const TONE: Record<PayoutExplanation, string> = { none: "ok", payout_fee: "info", unexplained: "warn" };

export function ExplanationBadge({ code }: { code: PayoutExplanation }) {
  const { t } = useTranslation();
  return (
    <span className={`badge tone-${TONE[code]}`} data-testid="payout-explanation" data-explanation={code}>
      {t(`reconciliation.payouts.explanation.${code}`)}
    </span>
  );
}

function StatementLink({ s, onOpen }: { s: StatementDueView; onOpen: (id: number) => void }) {
  const { t } = useTranslation();
  return (
    <button type="button" className="link mono small" dir="ltr" onClick={() => onOpen(s.id)} data-testid="payout-statement" data-id={s.id} title={t("reconciliation.view.revision", { n: s.revision })}>
      {s.statement_id}
    </button>
  );
}

export function PayoutTable({ rows, onOpen }: { rows: PayoutRow[]; onOpen: (id: number) => void }) {
  const { t, i18n } = useTranslation();
  return (
    <table className="data-table" data-testid="payout-list">
      <thead>
        <tr>
          <th>{t("reconciliation.payouts.col.date")}</th>
          <th className="end">{t("reconciliation.payouts.col.amount")}</th>
          <th>{t("reconciliation.payouts.col.reference")}</th>
          <th>{t("reconciliation.payouts.col.source")}</th>
          <th>{t("reconciliation.payouts.col.settles")}</th>
          <th className="end">{t("reconciliation.payouts.col.net")}</th>
          <th className="end">{t("reconciliation.payouts.col.difference")}</th>
          <th>{t("reconciliation.payouts.col.explanation")}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((p) => (
          <tr key={p.id} data-testid="payout-row" data-id={p.id}>
            <td className="small">{formatFullDay(p.paid_on, i18n.language)}</td>
            <td className="end">
              <Amount value={p.amount} currency={p.currency} />
            </td>
            <td>
              {p.reference && (
                <span className="mono small" dir="ltr">
                  {p.reference}
                </span>
              )}
              {p.description && (
                <div className="muted small" dir="auto">
                  {p.description}
                </div>
              )}
              {p.note && (
                <div className="muted small" dir="auto">
                  {p.note}
                </div>
              )}
            </td>
            <td className="small" data-source={p.source}>
              {t(`reconciliation.payouts.source.${p.source === "bank_csv" ? "bank_csv" : "manual"}`)}
              {p.bank_row !== null && <span className="muted"> · {t("reconciliation.payouts.bankRow", { n: p.bank_row })}</span>}
            </td>
            <td>
              {p.statements.length === 0 ? (
                <span className="muted small">{t("reconciliation.payouts.noStatement")}</span>
              ) : (
                p.statements.map((s) => <StatementLink key={s.id} s={s} onOpen={onOpen} />)
              )}
            </td>
            <td className="end">
              <Amount value={p.statements_net} currency={p.currency} />
            </td>
            <td className="end">
              <Amount value={p.difference} currency={p.currency} testId="payout-difference" />
            </td>
            <td>
              <ExplanationBadge code={p.explanation} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function OpenItems({ rows, onOpen }: { rows: StatementDueView[]; onOpen: (id: number) => void }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  if (rows.length === 0) return <p className="muted">{t("reconciliation.payouts.openNone")}</p>;
  return (
    <table className="data-table" data-testid="open-items">
      <thead>
        <tr>
          <th>{t("reconciliation.list.col.statement")}</th>
          <th>{t("reconciliation.payouts.col.period")}</th>
          <th className="end">{t("reconciliation.payouts.col.netPayable")}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((s) => (
          <tr key={s.id} data-testid="open-item" data-id={s.id}>
            <td>
              <StatementLink s={s} onOpen={onOpen} /> <span className="muted small">{t("reconciliation.view.revision", { n: s.revision })}</span>
            </td>
            <td className="small">
              {formatFullDay(s.period_start, lang)} – {formatFullDay(s.period_end, lang)}
            </td>
            <td className="end">
              <Amount value={s.net_payable} currency={s.currency} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
