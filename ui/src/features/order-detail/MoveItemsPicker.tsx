import { useTranslation } from "react-i18next";
import type { ItemRow } from "../../ipc";
import { selectableItems } from "./moves";
import { Amount } from "../../components/Amount";

/** Units per order line for a capture by items; the core prices and bounds them. */
export function MoveItemsPicker({
  items,
  currency,
  quantities,
  onChange,
}: {
  items: ItemRow[];
  currency: string;
  quantities: Record<string, number>;
  onChange: (q: Record<string, number>) => void;
}) {
  const { t } = useTranslation();
  return (
    <table className="data-table compact" data-testid="move-items">
      <thead>
        <tr>
          <th>{t("items.name")}</th>
          <th>{t("items.ordered")}</th>
          <th className="end">{t("items.total")}</th>
          <th>{t("items.units")}</th>
        </tr>
      </thead>
      <tbody>
        {selectableItems(items).map((it) => (
          <tr key={it.reference_id}>
            <td>
              <span dir="auto">{it.name ?? it.reference_id}</span>
              <div className="muted mono small">{it.sku ?? it.reference_id}</div>
            </td>
            <td>{it.quantity}</td>
            <td className="end">
              <Amount value={it.total} currency={currency} />
            </td>
            <td>
              <input
                type="number"
                min={0}
                max={it.quantity}
                step={1}
                className="qty-input"
                aria-label={t("items.unitsFor", { name: it.name ?? it.reference_id })}
                value={quantities[it.reference_id] ?? 0}
                onChange={(e) => {
                  const n = Math.max(0, Math.min(it.quantity, Math.floor(Number(e.target.value) || 0)));
                  onChange({ ...quantities, [it.reference_id]: n });
                }}
              />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
