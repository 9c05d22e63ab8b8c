import type { VisibilityState } from "@tanstack/react-table";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { orderColumns } from "./columns";

/** Shows or hides the table's columns; the choice is remembered on this machine. */
export function ColumnChooser({ visibility, onChange }: { visibility: VisibilityState; onChange: (v: VisibilityState) => void }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  return (
    <div className="menu-wrap">
      <button type="button" className="ghost" aria-expanded={open} onClick={() => setOpen(!open)}>
        {t("orders.columns")}
      </button>
      {open && (
        <div className="menu" role="group" aria-label={t("orders.columns")}>
          {orderColumns("en").map((c) => {
            const id = c.id ?? "";
            return (
              <label key={id} className="check">
                <input
                  type="checkbox"
                  checked={visibility[id] !== false}
                  disabled={id === "reference"}
                  onChange={(e) => onChange({ ...visibility, [id]: e.target.checked })}
                />
                {t(String(c.header))}
              </label>
            );
          })}
        </div>
      )}
    </div>
  );
}
