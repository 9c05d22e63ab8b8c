// The payouts tab: Tamara's bank deposits, each with the statements it settles and its difference
// explained, the statements still open, and the two ways a deposit comes in — entered by hand
// ("Add payout") or taken from the bank statement CSV.
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { ipc } from "../../ipc";
import { qk } from "../../app/queryKeys";
import { useMarkReady } from "../../app/ready";
import { Empty, ErrorState, Loading } from "../../components/States";
import { CurrencySelect } from "../../components/CurrencySelect";
import { AddPayoutDialog } from "./AddPayoutDialog";
import { OpenItems, PayoutTable } from "./PayoutTable";
import { useBankImport } from "./useBankImport";

export function PayoutsTab({ onOpenStatement }: { onOpenStatement: (id: number) => void }) {
  const { t } = useTranslation();
  const list = useQuery({ queryKey: qk.payouts, queryFn: () => ipc.payoutsList() });
  const [adding, setAdding] = useState(false);
  const [currency, setCurrency] = useState("SAR");
  const [allCredits, setAllCredits] = useState(false);
  const bank = useBankImport(currency, allCredits);
  useMarkReady(!list.isPending);

  return (
    <>
      <div className="panel" data-testid="payouts-tab">
        <div className="toolbar">
          <p className="muted grow">{t("reconciliation.payouts.explain")}</p>
          <button type="button" className="primary" onClick={() => setAdding(true)} data-testid="payout-add">
            {t("reconciliation.payouts.add")}
          </button>
        </div>
        <div className="toolbar">
          <button type="button" onClick={() => void bank.pick()} disabled={bank.run.isPending} data-testid="payout-import">
            {bank.run.isPending ? t("reconciliation.payouts.importing") : t("reconciliation.payouts.importBank")}
          </button>
          <label className="check">
            <span>{t("reconciliation.payouts.accountCurrency")}</span>
            <CurrencySelect value={currency} onChange={setCurrency} testId="payout-import-currency" />
          </label>
          <label className="check">
            <input type="checkbox" checked={allCredits} onChange={(e) => setAllCredits(e.target.checked)} data-testid="payout-all-credits" />
            {t("reconciliation.payouts.allCredits")}
          </label>
        </div>
        {bank.run.error && <ErrorState error={bank.run.error} compact />}
        {bank.pickError !== null && <ErrorState error={bank.pickError} compact />}
      </div>
      {list.isPending ? (
        <Loading />
      ) : list.error ? (
        <ErrorState error={list.error} onRetry={() => void list.refetch()} />
      ) : (
        <>
          {list.data.payouts.length === 0 ? (
            <Empty title={t("reconciliation.payouts.emptyTitle")} hint={t("reconciliation.payouts.emptyHint")} />
          ) : (
            <div className="panel">
              <h2>{t("reconciliation.payouts.title")}</h2>
              <PayoutTable rows={list.data.payouts} onOpen={onOpenStatement} />
            </div>
          )}
          <div className="panel">
            <h2>{t("reconciliation.payouts.openTitle")}</h2>
            <p className="muted small">{t("reconciliation.payouts.openHint")}</p>
            <OpenItems rows={list.data.open_items} onOpen={onOpenStatement} />
          </div>
        </>
      )}
      {adding && <AddPayoutDialog open={list.data?.open_items ?? []} onClose={() => setAdding(false)} />}
    </>
  );
}
