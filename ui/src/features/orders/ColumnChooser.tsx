import type { VisibilityState } from "@tanstack/react-table";
import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { orderColumns } from "./columns";

/** Shows or hides the table's columns; the choice is remembered on this machine. Escape or a
 *  click outside closes the menu, and focus goes back to its button. */
export function ColumnChooser({ visibility, onChange }: { visibility: VisibilityState; onChange: (v: VisibilityState) => void }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const wrap = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (!open) return;
    const outside = (e: MouseEvent) => {
      if (!wrap.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener("mousedown", outside);
    return () => document.removeEventListener("mousedown", outside);
  }, [open]);
  return (
    <div
      className="menu-wrap"
      ref={wrap}
      onKeyDown={(e) => {
        if (e.key === "Escape" && open) {
          e.stopPropagation();
          setOpen(false);
          button.current?.focus();
        }
      }}
    >
      <button ref={button} type="button" className="ghost" aria-expanded={open} onClick={() => setOpen(!open)} data-testid="columns-button">
        {t("orders.columns")}
      </button>
      {open && (
        <div className="menu" role="group" aria-label={t("orders.columns")} data-testid="columns-menu">
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
