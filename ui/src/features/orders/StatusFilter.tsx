// The status filter: any number of statuses (the query takes several). A button that opens a
// group of checkboxes; Escape or "Done" closes it and gives focus back to the button, and a
// click outside closes it too. Its label says what is chosen.
import { useEffect, useId, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { ORDER_STATUSES } from "./filters";

export function StatusFilter({ value, onChange }: { value: string[]; onChange: (next: string[]) => void }) {
  const { t, i18n } = useTranslation();
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const root = useRef<HTMLDivElement>(null);
  const panelId = useId();
  const name = (s: string) => (i18n.exists(`status.${s}`) ? t(`status.${s}`) : s);
  const summary =
    value.length === 0 ? t("orders.filter.anyStatus") : value.length <= 2 ? value.map(name).join(" + ") : t("orders.filter.statusesN", { n: value.length });

  useEffect(() => {
    if (!open) return;
    const away = (e: PointerEvent) => {
      if (!root.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener("pointerdown", away);
    return () => document.removeEventListener("pointerdown", away);
  }, [open]);

  const close = () => {
    setOpen(false);
    button.current?.focus();
  };
  const toggle = (s: string, on: boolean) => onChange(on ? ORDER_STATUSES.filter((x) => x === s || value.includes(x)) : value.filter((x) => x !== s));
  // Statuses a saved view carries that this list does not know stay chosen and visible.
  const all = [...ORDER_STATUSES, ...value.filter((v) => !(ORDER_STATUSES as readonly string[]).includes(v))];

  return (
    <div className="status-filter" ref={root}>
      <span id={`${panelId}-label`}>{t("orders.filter.status")}</span>
      <button
        ref={button}
        type="button"
        className="select-like"
        data-testid="filter-status"
        data-value={value.join(",")}
        aria-haspopup="true"
        aria-expanded={open}
        aria-controls={panelId}
        aria-labelledby={`${panelId}-label ${panelId}-button`}
        id={`${panelId}-button`}
        onClick={() => setOpen((o) => !o)}
      >
        {summary}
      </button>
      {open && (
        <fieldset
          id={panelId}
          className="status-panel"
          data-testid="filter-status-panel"
          onKeyDown={(e) => {
            if (e.key === "Escape") {
              e.stopPropagation();
              close();
            }
          }}
        >
          <legend className="visually-hidden">{t("orders.filter.status")}</legend>
          {all.map((s, i) => (
            <label key={s} className="check">
              <input
                type="checkbox"
                autoFocus={i === 0}
                data-testid={`filter-status-${s}`}
                checked={value.includes(s)}
                onChange={(e) => toggle(s, e.target.checked)}
              />
              {name(s)}
            </label>
          ))}
          <button type="button" className="ghost" onClick={close}>
            {t("orders.filter.statusesDone")}
          </button>
        </fieldset>
      )}
    </div>
  );
}
