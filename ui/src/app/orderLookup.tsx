// The palette's order finder: what was typed goes to the orders search (reference, customer,
// or a whole Tamara order id), and each match becomes an "open order" command.
import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { Amount } from "../components/Amount";
import { ipc, type OrderRow } from "../ipc";
import { useDebounced } from "../lib/useDebounced";
import type { Command } from "./CommandPalette";
import { navigate } from "./router";

const SHOWN = 5;

export type Hit = { command: Command; exact: boolean };

export function useOrderLookup(text: string): Hit[] {
  const { t } = useTranslation();
  const [typed] = useDebounced(text, 150);
  const q = useQuery({
    queryKey: ["palette-orders", typed],
    queryFn: () => ipc.ordersPage({ text: typed, offset: 0, limit: SHOWN }),
    enabled: typed.length >= 3,
    staleTime: 5_000,
  });
  if (typed !== text || typed.length < 3) return [];
  const lower = typed.toLowerCase();
  return (q.data?.rows ?? []).map((row: OrderRow) => {
    return {
      exact: row.reference.toLowerCase() === lower || row.order_id.toLowerCase() === lower,
      command: {
        id: `order-${row.order_id}`,
        label: `${t("palette.openOrder")} ${row.reference}`,
        content: (
          <>
            {t("palette.openOrder")} <bdi className="mono">{row.reference}</bdi> · <bdi>{row.customer ?? "—"}</bdi> ·{" "}
            <Amount value={row.total} currency={row.currency} />
          </>
        ),
        run: () => navigate({ screen: "orders", orderId: row.order_id }),
      },
    };
  });
}
