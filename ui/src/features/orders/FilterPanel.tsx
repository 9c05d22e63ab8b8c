// The orders filters, collapsible: folded by default in a short window (under 700 px) so the
// table keeps the screen; the choice is remembered for the session. A "Skip to the table" link
// comes first, so the keyboard reaches the rows in one press instead of one per filter.
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { useStoredState } from "../../lib/useStoredState";

export const SHORT_WINDOW_PX = 700;

/** Moves the focus to the first row in view (or the table itself). */
export function focusTable(): void {
  const table = document.querySelector<HTMLElement>('[data-testid="orders-table"]');
  const row = table?.querySelector<HTMLElement>('[data-testid="order-row"]');
  (row ?? table)?.focus();
}

export function FilterPanel({ children, active }: { children: ReactNode; active: boolean }) {
  const { t } = useTranslation();
  const short = typeof window !== "undefined" && window.innerHeight < SHORT_WINDOW_PX;
  const storage = typeof sessionStorage === "undefined" ? undefined : sessionStorage;
  const [open, setOpen] = useStoredState<boolean>("mizan.orders.filtersOpen", !short, storage);
  return (
    <div className="filter-panel">
      <div className="inline-form">
        <a
          href="#orders-table"
          className="skip-link"
          data-testid="skip-to-table"
          onClick={(e) => {
            e.preventDefault();
            focusTable();
          }}
        >
          {t("orders.skipToTable")}
        </a>
        <button type="button" className="ghost" aria-expanded={open} aria-controls="order-filters" onClick={() => setOpen(!open)} data-testid="filters-toggle">
          {open ? t("orders.hideFilters") : t("orders.showFilters")}
          {!open && active && <span className="count-pill">•</span>}
        </button>
      </div>
      <div id="order-filters" hidden={!open}>
        {children}
      </div>
    </div>
  );
}
