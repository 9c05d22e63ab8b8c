// What the ticked orders can have done to them together: capture or cancel each (one
// confirmation listing every order and amount, BulkMoveDialog), or export them as CSV. Always laid out, so ticking
// the first row moves nothing.
import { useState } from "react";
import { useTranslation } from "react-i18next";
import type { OrderRow } from "../../ipc";
import { formatCount } from "../../lib/time";
import { BulkMoveDialog, type BulkKind } from "./BulkMoveDialog";
import { ExportSelection } from "./ExportSelection";

export function SelectionBar({ selected, onClear }: { selected: ReadonlyMap<string, OrderRow>; onClear: () => void }) {
  const { t, i18n } = useTranslation();
  const [kind, setKind] = useState<BulkKind | null>(null);
  const n = selected.size;
  return (
    <div className="selection-bar" role="group" aria-label={t("orders.col.select")} data-testid="selection-bar" data-count={n}>
      <span className="muted" aria-live="polite">
        {t("orders.selected", { n: formatCount(n, i18n.language) })}
      </span>
      {(["capture", "cancel"] as const).map((k) => (
        <button key={k} type="button" className="ghost" disabled={n === 0} data-testid={`bulk-${k}`} onClick={() => setKind(k)}>
          {t(`orders.bulk.open.${k}`)}
        </button>
      ))}
      <ExportSelection orderIds={[...selected.keys()]} />
      <button type="button" className="ghost" disabled={n === 0} onClick={onClear}>
        {t("orders.clearSelection")}
      </button>
      {kind && <BulkMoveDialog kind={kind} orderIds={[...selected.keys()]} onClose={() => setKind(null)} />}
    </div>
  );
}
