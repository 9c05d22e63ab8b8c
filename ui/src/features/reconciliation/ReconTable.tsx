// A statement's rows (TanStack Table): the outcome translated (its code kept as data), the
// file's row, the order (a link to its screen), both amounts as the shell's exact strings,
// payable, and what is wrong in words; a line Mizan lacks offers to read its order again.
import { createColumnHelper, flexRender, getCoreRowModel, useReactTable } from "@tanstack/react-table";
import { useMemo } from "react";
import { useTranslation } from "react-i18next";
import type { TFunction } from "i18next";
import type { Outcome, ReconRowView } from "../../ipc";
import { hrefFor } from "../../app/router";
import { Amount } from "../../components/Amount";

const TONE: Record<Outcome, string> = {
  matched: "ok",
  net_zero: "ok",
  amount_differs: "bad",
  not_in_mizan: "warn",
  not_in_statement: "warn",
  duplicate_line: "bad",
  fees_inconsistent: "bad",
};

export function OutcomeBadge({ outcome }: { outcome: Outcome }) {
  const { t } = useTranslation();
  return (
    <span className={`badge tone-${TONE[outcome]}`} data-testid="recon-outcome" data-outcome={outcome}>
      {t(`reconciliation.outcome.${outcome}`)}
    </span>
  );
}

function amount(value: string | null, currency: string) {
  return value === null ? <span className="muted">—</span> : <Amount value={value} currency={currency} />;
}

/** What the operator reads in the detail column. */
export function detailText(r: ReconRowView, t: TFunction): string[] {
  const out = r.fee_problems.map((p) => t("reconciliation.feeProblem", { field: t(`reconciliation.field.${p.field}`, { defaultValue: p.field }), found: p.found, expected: p.expected }));
  if (r.outcome === "not_in_mizan") out.push(r.order_cached ? t("reconciliation.orderCached") : t("reconciliation.orderNotCached"));
  if (r.outcome === "not_in_statement") out.push(t("reconciliation.missingLine"));
  return out;
}

const col = createColumnHelper<ReconRowView>();

export function ReconTable({ rows, onRepair, repairing }: { rows: ReconRowView[]; onRepair: (orderId: string) => void; repairing: string | null }) {
  const { t } = useTranslation();
  const columns = useMemo(
    () => [
      col.accessor("outcome", { header: () => t("reconciliation.col.outcome"), cell: (c) => <OutcomeBadge outcome={c.getValue()} /> }),
      col.accessor("row", { header: () => t("reconciliation.col.row"), cell: (c) => c.getValue() ?? "—", meta: { end: true } }),
      col.accessor("order_id", {
        header: () => t("reconciliation.col.order"),
        cell: (c) => (
          <a className="mono small" dir="ltr" href={hrefFor({ screen: "orders", orderId: c.getValue() })} data-testid="recon-order">
            {c.getValue()}
          </a>
        ),
      }),
      col.accessor("order_reference_id", {
        header: () => t("reconciliation.col.reference"),
        cell: (c) => (
          <span className="mono small" dir="ltr">
            {c.getValue() ?? "—"}
          </span>
        ),
      }),
      col.accessor("event", { header: () => t("reconciliation.col.event"), cell: (c) => t(`reconciliation.event.${c.getValue()}`, { defaultValue: c.getValue() }) }),
      col.accessor("statement_amount", { header: () => t("reconciliation.col.statementAmount"), cell: (c) => amount(c.getValue(), c.row.original.currency), meta: { end: true } }),
      col.accessor("ledger_amount", { header: () => t("reconciliation.col.ledgerAmount"), cell: (c) => amount(c.getValue(), c.row.original.currency), meta: { end: true } }),
      col.accessor("payable", { header: () => t("reconciliation.col.payable"), cell: (c) => amount(c.getValue(), c.row.original.currency), meta: { end: true } }),
      col.display({
        id: "detail",
        header: () => t("reconciliation.col.detail"),
        cell: (c) => {
          const r = c.row.original;
          return (
            <div className="small">
              {detailText(r, t).map((line) => (
                <div key={line} data-testid="recon-detail">
                  {line}
                </div>
              ))}
              {r.outcome === "not_in_mizan" && (
                <button type="button" className="ghost" onClick={() => onRepair(r.order_id)} disabled={repairing !== null} data-testid="recon-repair">
                  {repairing === r.order_id ? t("reconciliation.repairing") : t("reconciliation.repair")}
                </button>
              )}
            </div>
          );
        },
      }),
    ],
    [t, onRepair, repairing],
  );
  const table = useReactTable({
    data: rows,
    columns,
    getCoreRowModel: getCoreRowModel(),
    // Rows are the shell's: their position in the answer names them (statement rows first).
    getRowId: (r, i) => (r.row !== null ? `row-${r.row}` : `move-${r.order_id}-${i}`),
  });
  return (
    <table className="data-table" data-testid="recon-table">
      <thead>
        {table.getHeaderGroups().map((g) => (
          <tr key={g.id}>
            {g.headers.map((h) => (
              <th key={h.id} className={(h.column.columnDef.meta as { end?: boolean } | undefined)?.end ? "end" : undefined}>
                {flexRender(h.column.columnDef.header, h.getContext())}
              </th>
            ))}
          </tr>
        ))}
      </thead>
      <tbody>
        {table.getRowModel().rows.map((r) => (
          <tr key={r.id} data-testid="recon-row" data-outcome={r.original.outcome} data-order={r.original.order_id}>
            {r.getVisibleCells().map((c) => (
              <td key={c.id} className={(c.column.columnDef.meta as { end?: boolean } | undefined)?.end ? "end" : undefined}>
                {flexRender(c.column.columnDef.cell, c.getContext())}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
