// One statement reconciled: who imported which file for which period, its totals, a chip per
// outcome that filters the rows ("only differences" first when it does not balance), the rows,
// the report export (never over a file unless the operator confirms) and the repair of a line
// Mizan lacks.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useCallback, useState } from "react";
import { useTranslation } from "react-i18next";
import { toast } from "sonner";
import { chooseSavePath, ipc, toIpcError, type Outcome, type StatementView } from "../../ipc";
import { qk } from "../../app/queryKeys";
import { Amount } from "../../components/Amount";
import { ErrorState } from "../../components/States";
import { ReplaceDialog } from "../exports/ReplaceDialog";
import { formatDateTime, formatFullDay } from "../../lib/time";
import { ReconTable } from "./ReconTable";
import { StatementState } from "./StatementList";

export type RowFilter = "all" | "differences" | Outcome;

export function initialFilter(v: StatementView): RowFilter {
  return v.balanced ? "all" : "differences";
}

function Totals({ v }: { v: StatementView }) {
  const { t } = useTranslation();
  const totals = v.totals;
  if (!totals) return null;
  const items = ["captured", "refunded", "fees", "vat", "payable"] as const;
  return (
    <dl className="recon-totals" aria-label={t("reconciliation.totals.title")} data-testid="recon-totals">
      {items.map((k) => (
        <div key={k}>
          <dt>{t(`reconciliation.totals.${k}`)}</dt>
          <dd>
            <Amount value={totals[k]} currency={totals.currency} testId={`recon-total-${k}`} />
          </dd>
        </div>
      ))}
    </dl>
  );
}

/** The statement's own summary against the sum of its lines: shown only when they differ. */
function StatedTotals({ v }: { v: StatementView }) {
  const { t } = useTranslation();
  if (v.totals_differences.length === 0) return null;
  return (
    <div className="notice warn-text" role="status" data-testid="recon-stated-totals">
      <p>{t("reconciliation.stated.title")}</p>
      <ul>
        {v.totals_differences.map((d) => (
          <li key={`${d.currency}-${d.figure}`} data-figure={d.figure}>
            {t(`reconciliation.stated.figure.${d.figure as "sales" | "refunds" | "fees" | "vat" | "net"}`)}
            {": "}
            {t("reconciliation.stated.stated")} <Amount value={d.stated} currency={d.currency} />
            {" · "}
            {t("reconciliation.stated.lines")} <Amount value={d.lines} currency={d.currency} />
          </li>
        ))}
      </ul>
    </div>
  );
}

function useReportExport(v: StatementView) {
  const { t } = useTranslation();
  const [replacing, setReplacing] = useState<string | null>(null);
  const run = useMutation({
    mutationFn: ({ path, overwrite }: { path: string; overwrite: boolean }) => ipc.statementExport(v.statement.id, path, overwrite),
    onSuccess: (n, { path }) => toast.success(t("reconciliation.toast.exported", { n, path })),
    onError: (e, { path }) => {
      // The file exists: ask, naming it, before writing over it.
      if (toIpcError(e).code === "export_file_exists") setReplacing(path);
    },
  });
  const start = async () => {
    run.reset();
    const s = v.statement;
    try {
      const path = await chooseSavePath(`${s.statement_id}-r${s.revision}-reconciliation.csv`, { name: t("reconciliation.view.exportName"), extensions: ["csv"] });
      if (path) run.mutate({ path, overwrite: false });
    } catch (e) {
      toast.error(toIpcError(e).message);
    }
  };
  const error = run.error && toIpcError(run.error).code !== "export_file_exists" ? run.error : null;
  return { run, start, error, replacing, setReplacing };
}

export function StatementDetail({ view: v, onBack }: { view: StatementView; onBack: () => void }) {
  const { t, i18n } = useTranslation();
  const client = useQueryClient();
  const lang = i18n.language;
  const s = v.statement;
  const [filter, setFilter] = useState<RowFilter>(() => initialFilter(v));
  const report = useReportExport(v);
  const repair = useMutation({
    mutationFn: (orderId: string) => ipc.statementRepairOrder(s.id, orderId),
    onSuccess: (next, orderId) => {
      client.setQueryData(qk.statement(s.id), next);
      void client.invalidateQueries({ queryKey: qk.statements, exact: true });
      void client.invalidateQueries({ queryKey: qk.order(orderId) });
      toast.success(t("reconciliation.toast.repaired", { id: orderId }));
    },
  });
  const repairOrder = repair.mutate;
  const onRepair = useCallback((orderId: string) => repairOrder(orderId), [repairOrder]);
  const differences = v.counts.filter((c) => c.difference).reduce((n, c) => n + c.count, 0);
  const shown = v.rows.filter((r) => (filter === "all" ? true : filter === "differences" ? !["matched", "net_zero"].includes(r.outcome) : r.outcome === filter));
  const chips: { key: RowFilter; label: string; n: number }[] = [
    { key: "all", label: t("reconciliation.view.all"), n: v.rows.length },
    { key: "differences", label: t("reconciliation.view.onlyDifferences"), n: differences },
    ...v.counts.filter((c) => c.count > 0).map((c) => ({ key: c.outcome, label: t(`reconciliation.outcome.${c.outcome}`), n: c.count })),
  ];

  return (
    <div className="panel" data-testid="statement-view" data-id={s.id} data-balanced={v.balanced}>
      <div className="toolbar">
        <button type="button" className="ghost" onClick={onBack} data-testid="statement-back">
          {t("reconciliation.view.back")}
        </button>
        <h2 className="grow">
          <span className="mono" dir="ltr">
            {s.statement_id}
          </span>{" "}
          <span className="muted small">{t("reconciliation.view.revision", { n: s.revision })}</span>
        </h2>
        <StatementState balanced={v.balanced} differences={differences} />
        <button type="button" className="primary" onClick={() => void report.start()} disabled={report.run.isPending} data-testid="statement-export">
          {t("reconciliation.view.export")}
        </button>
      </div>
      <p className="small">
        {t("reconciliation.view.period", { from: formatFullDay(s.period_start, lang), to: formatFullDay(s.period_end, lang), zone: s.time_zone })}
        {" · "}
        {t("reconciliation.view.imported", { at: formatDateTime(s.imported_at, lang), who: s.imported_by, file: s.file_name })}
        {" · "}
        {t("reconciliation.view.vat", { pct: v.vat_percent })}
      </p>
      <p className={v.balanced ? "ok-text" : "warn-text"} role="status">
        {v.balanced ? t("reconciliation.view.balanced") : t("reconciliation.view.notBalanced", { n: differences })}
      </p>
      <Totals v={v} />
      <StatedTotals v={v} />
      {report.error && <ErrorState error={report.error} compact />}
      {repair.error && <ErrorState error={repair.error} compact />}
      <div className="chips" role="radiogroup" aria-label={t("reconciliation.view.filter")} data-testid="recon-filter">
        {chips.map((c) => (
          <button key={c.key} type="button" role="radio" aria-checked={filter === c.key} className="chip" onClick={() => setFilter(c.key)} data-testid={`recon-chip-${c.key}`}>
            <bdi>{c.label}</bdi>
            <span className="count">{c.n}</span>
          </button>
        ))}
      </div>
      {shown.length === 0 ? (
        <p className="muted" data-testid="recon-no-rows">
          {t("reconciliation.view.noRows")}
        </p>
      ) : (
        <ReconTable rows={shown} onRepair={onRepair} repairing={repair.isPending ? (repair.variables ?? null) : null} />
      )}
      {report.replacing && (
        <ReplaceDialog
          paths={[report.replacing]}
          onKeep={() => report.setReplacing(null)}
          onReplace={() => {
            const path = report.replacing as string;
            report.setReplacing(null);
            report.run.mutate({ path, overwrite: true });
          }}
        />
      )}
    </div>
  );
}
