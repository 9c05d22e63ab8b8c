// Reconciliation, in three tabs. Statements: Tamara's statements imported (file picker, or a file
// dropped anywhere on the screen), listed with whether each balances, and one opened line by
// line. Payouts: the bank deposits and what each settles. Month: one calendar month per
// currency. The tab and the open statement are kept for the session, so coming back from an
// order's screen lands on them again.
import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { ipc } from "../../ipc";
import { qk } from "../../app/queryKeys";
import { useMarkReady } from "../../app/ready";
import { Empty, ErrorState, Loading } from "../../components/States";
import { useStoredState } from "../../lib/useStoredState";
import { StatementDetail } from "./StatementDetail";
import { StatementList } from "./StatementList";
import { MonthTab } from "./MonthTab";
import { OPEN_STATEMENT_KEY, RECON_TAB_KEY, RECON_TABS, type ReconTab } from "./openStatement";
import { PayoutsTab } from "./PayoutsTab";
import { useStatementImport } from "./useStatementImport";

const storage = typeof sessionStorage === "undefined" ? undefined : sessionStorage;

function BackButton({ onBack }: { onBack: () => void }) {
  const { t } = useTranslation();
  return (
    <button type="button" className="ghost" onClick={onBack} data-testid="statement-back">
      {t("reconciliation.view.back")}
    </button>
  );
}

function OpenStatement({ id, onBack }: { id: number; onBack: () => void }) {
  const view = useQuery({ queryKey: qk.statement(id), queryFn: () => ipc.statementShow(id) });
  if (view.isPending) return <Loading />;
  if (view.error)
    return (
      <div className="panel">
        <ErrorState error={view.error} onRetry={() => void view.refetch()} />
        <BackButton onBack={onBack} />
      </div>
    );
  // Keyed by the statement so the filter starts again from its default for another one.
  return <StatementDetail key={id} view={view.data} onBack={onBack} />;
}

export function ReconciliationScreen() {
  const { t } = useTranslation();
  const [open, setOpen] = useStoredState<number | null>(OPEN_STATEMENT_KEY, null, storage);
  const [tab, setTab] = useStoredState<ReconTab>(RECON_TAB_KEY, "statements", storage);
  const onStatements = tab === "statements";
  const list = useQuery({ queryKey: qk.statements, queryFn: () => ipc.statementsList(), enabled: onStatements });
  const imports = useStatementImport((a) => setOpen(a.statement.id), onStatements);
  useMarkReady(!onStatements || !list.isPending);
  const showStatement = (id: number) => {
    setOpen(id);
    setTab("statements");
  };

  return (
    <section className="screen" aria-labelledby="recon-title" data-testid="reconciliation" data-dragging={imports.dragging || undefined}>
      <header className="screen-header">
        <h1 id="recon-title">{t("reconciliation.title")}</h1>
        <div className="tabs" role="tablist" aria-label={t("reconciliation.tabs")}>
          {RECON_TABS.map((k) => (
            <button key={k} type="button" role="tab" aria-selected={tab === k} data-testid={`recon-tab-${k}`} onClick={() => setTab(k)}>
              {t(`reconciliation.tab.${k}`)}
            </button>
          ))}
        </div>
      </header>
      {tab === "payouts" && <PayoutsTab onOpenStatement={showStatement} />}
      {tab === "month" && <MonthTab />}
      {onStatements && (
        <>
          <div className="panel">
            <div className="toolbar">
              <p className="muted grow">
                {t("reconciliation.explain")} {t("reconciliation.dropHint")}
              </p>
              <button type="button" className="primary" onClick={() => void imports.pick()} disabled={imports.run.isPending} data-testid="statement-import">
                {imports.run.isPending ? t("reconciliation.importing") : t("reconciliation.import")}
              </button>
            </div>
            {imports.dragging && (
              <p className="notice" role="status" data-testid="statement-drop">
                {t("reconciliation.dropHere")}
              </p>
            )}
            {imports.run.error && <ErrorState error={imports.run.error} compact />}
            {imports.pickError !== null && <ErrorState error={imports.pickError} compact />}
          </div>
          {open !== null ? (
            <OpenStatement id={open} onBack={() => setOpen(null)} />
          ) : list.isPending ? (
            <Loading />
          ) : list.error ? (
            <ErrorState error={list.error} onRetry={() => void list.refetch()} />
          ) : list.data.length === 0 ? (
            <Empty title={t("reconciliation.list.emptyTitle")} hint={t("reconciliation.list.emptyHint")} />
          ) : (
            <div className="panel">
              <h2>{t("reconciliation.list.title")}</h2>
              <StatementList rows={list.data} onOpen={setOpen} />
            </div>
          )}
        </>
      )}
    </section>
  );
}
