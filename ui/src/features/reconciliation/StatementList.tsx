// The imported statements, each revision, newest period first, each with whether it balances.
import { useTranslation } from "react-i18next";
import type { StatementListRow } from "../../ipc";
import { formatDateTime, formatFullDay } from "../../lib/time";

export function StatementState({ balanced, differences }: { balanced: boolean; differences: number }) {
  const { t } = useTranslation();
  return (
    <span className={`badge tone-${balanced ? "ok" : "warn"}`} data-testid="statement-state" data-balanced={balanced} data-differences={differences}>
      {balanced ? t("reconciliation.list.balanced") : t("reconciliation.list.differences", { n: differences })}
    </span>
  );
}

export function StatementList({ rows, onOpen }: { rows: StatementListRow[]; onOpen: (id: number) => void }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  return (
    <table className="data-table" data-testid="statement-list">
      <thead>
        <tr>
          <th>{t("reconciliation.list.col.statement")}</th>
          <th>{t("reconciliation.list.col.period")}</th>
          <th className="end">{t("reconciliation.list.col.lines")}</th>
          <th>{t("reconciliation.list.col.state")}</th>
          <th>{t("reconciliation.list.col.imported")}</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {rows.map(({ statement: s, balanced, differences }) => (
          <tr key={s.id} data-testid="statement-row" data-id={s.id}>
            <td>
              <span className="mono" dir="ltr">
                {s.statement_id}
              </span>{" "}
              <span className="muted small">{t("reconciliation.view.revision", { n: s.revision })}</span>
            </td>
            <td className="small">
              {t("reconciliation.view.period", { from: formatFullDay(s.period_start, lang), to: formatFullDay(s.period_end, lang), zone: s.time_zone })}
            </td>
            <td className="end">{s.line_count}</td>
            <td>
              <StatementState balanced={balanced} differences={differences} />
            </td>
            <td className="small">
              {formatDateTime(s.imported_at, lang)} <span className="muted">{s.imported_by}</span>
            </td>
            <td className="row-actions">
              <button type="button" className="ghost" onClick={() => onOpen(s.id)} data-testid="statement-open">
                {t("reconciliation.list.open")}
              </button>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
