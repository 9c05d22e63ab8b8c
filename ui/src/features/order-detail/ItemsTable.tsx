import { useTranslation } from "react-i18next";
import type { ItemRow } from "../../ipc";
import { Amount } from "../../components/Amount";

export function ItemsTable({ items, currency }: { items: ItemRow[]; currency: string }) {
  const { t } = useTranslation();
  if (items.length === 0) return <p className="muted">{t("items.none")}</p>;
  return (
    <table className="data-table" data-testid="order-items">
      <thead>
        <tr>
          <th>{t("items.name")}</th>
          <th>{t("items.sku")}</th>
          <th>{t("items.reference")}</th>
          <th>{t("items.ordered")}</th>
          <th className="end">{t("items.unitPrice")}</th>
          <th className="end">{t("items.total")}</th>
        </tr>
      </thead>
      <tbody>
        {items.map((it, i) => (
          <tr key={it.reference_id ?? `line-${i}`}>
            <td dir="auto">{it.name ?? "—"}</td>
            <td className="mono">{it.sku ?? "—"}</td>
            <td className="mono">{it.reference_id ?? "—"}</td>
            <td>{it.quantity}</td>
            <td className="end">{it.unit_price ? <Amount value={it.unit_price} /> : "—"}</td>
            <td className="end">
              <Amount value={it.total} currency={currency} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
