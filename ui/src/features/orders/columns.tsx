// The orders table's columns (TanStack Table). Amounts render as the shell's strings; long
// references are shortened in the middle (full value in the tooltip), never at the end.
import { createColumnHelper, type ColumnDef } from "@tanstack/react-table";
import type { OrderRow } from "../../ipc";
import { Amount } from "../../components/Amount";
import { MiddleEllipsis } from "../../components/MiddleEllipsis";
import { StatusBadge } from "../../components/StatusBadge";
import { RehearsalMark } from "./RehearsalMark";
import { formatDateTime } from "../../lib/time";

/** A loaded row and its position in the whole result. */
export type IndexedRow = { index: number; row: OrderRow };

const col = createColumnHelper<IndexedRow>();

export type ColumnMeta = { width: string; align?: "end" };

export function orderColumns(lang: string): ColumnDef<IndexedRow, string>[] {
  return [
    col.accessor((r) => r.row.reference, {
      id: "reference",
      header: "orders.col.reference",
      cell: (c) => (
        <>
          <MiddleEllipsis className="mono" text={c.getValue()} />
          {c.row.original.row.rehearsal && <RehearsalMark />}
        </>
      ),
      meta: { width: "minmax(180px, 1.3fr)" },
    }),
    col.accessor((r) => r.row.status, {
      id: "status",
      header: "orders.col.status",
      cell: (c) => <StatusBadge status={c.getValue()} />,
      meta: { width: "minmax(130px, 1fr)" },
    }),
    col.accessor((r) => r.row.customer ?? "", {
      id: "customer",
      header: "orders.col.customer",
      // The name's own direction, so a Latin name in an Arabic table loses its end to the
      // ellipsis, not its first letters.
      cell: (c) =>
        c.getValue() ? (
          <bdi dir="auto" className="cell-fill" title={c.getValue()} data-testid="customer-name">
            {c.getValue()}
          </bdi>
        ) : (
          "—"
        ),
      meta: { width: "minmax(120px, 1.2fr)" },
    }),
    col.accessor((r) => r.row.phone ?? "", {
      id: "phone",
      header: "orders.col.phone",
      cell: (c) => (c.getValue() ? <bdi dir="ltr" className="mono">{c.getValue()}</bdi> : "—"),
      meta: { width: "minmax(120px, 1fr)" },
    }),
    col.accessor((r) => r.row.email ?? "", {
      id: "email",
      header: "orders.col.email",
      cell: (c) => (c.getValue() ? <bdi dir="ltr" title={c.getValue()}>{c.getValue()}</bdi> : "—"),
      meta: { width: "minmax(160px, 1.3fr)" },
    }),
    col.accessor((r) => r.row.total, {
      id: "total",
      header: "orders.col.total",
      cell: (c) => <Amount value={c.getValue()} currency={c.row.original.row.currency} />,
      meta: { width: "minmax(120px, 1fr)", align: "end" },
    }),
    col.accessor((r) => r.row.captured, {
      id: "captured",
      header: "orders.col.captured",
      cell: (c) => <Amount value={c.getValue()} />,
      meta: { width: "minmax(100px, 0.9fr)", align: "end" },
    }),
    col.accessor((r) => r.row.refunded, {
      id: "refunded",
      header: "orders.col.refunded",
      cell: (c) => <Amount value={c.getValue()} />,
      meta: { width: "minmax(100px, 0.9fr)", align: "end" },
    }),
    col.accessor((r) => r.row.created_at, {
      id: "created_at",
      header: "orders.col.created",
      cell: (c) => formatDateTime(c.getValue(), lang),
      meta: { width: "minmax(180px, 1.2fr)" },
    }),
    col.accessor((r) => r.row.order_id, {
      id: "order_id",
      header: "orders.col.orderId",
      cell: (c) => <span className="mono muted">{c.getValue()}</span>,
      meta: { width: "minmax(160px, 1.4fr)" },
    }),
  ];
}

/** Email and Tamara's id start hidden (the chooser shows them); phone is shown, because
 *  people search by it. */
export const DEFAULT_HIDDEN: Record<string, boolean> = { order_id: false, email: false };
