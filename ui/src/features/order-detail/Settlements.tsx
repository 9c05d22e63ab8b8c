// Which of Tamara's imported statements settled each capture and refund of the order, with the
// fees, VAT and payable on that line; each statement opens on the reconciliation screen.
import { useTranslation } from "react-i18next";
import type { SettledLine } from "../../ipc";
import { Amount } from "../../components/Amount";
import { openStatement } from "../reconciliation/openStatement";

export function Settlements({ lines }: { lines: SettledLine[] }) {
  const { t } = useTranslation();
  if (lines.length === 0) return null;
  return (
    <div data-testid="order-settlements">
      <h3>{t("reconciliation.settled.title")}</h3>
      <ul className="plain">
        {lines.map((l) => (
          <li key={`${l.statement}-${l.row}`} data-testid="order-settlement" data-statement={l.statement_id} data-row={l.row}>
            {t(`reconciliation.event.${l.event}`, { defaultValue: l.event })} <Amount value={l.amount} currency={l.currency} />{" "}
            <button type="button" className="link" onClick={() => openStatement(l.statement)} data-testid="order-settlement-open">
              {t("reconciliation.settled.in", { statement: l.statement_id, row: l.row })}
            </button>{" "}
            {t("reconciliation.settled.fees")} <Amount value={l.total_fees} />
            {t("reconciliation.settled.vat")} <Amount value={l.vat} />
            {t("reconciliation.settled.payable")} <Amount value={l.payable} />
          </li>
        ))}
      </ul>
    </div>
  );
}
