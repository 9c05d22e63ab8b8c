// The status filter: any number of statuses (the query takes several). A button that opens a
// menu of ticks (Radix's: arrow keys, Space ticks and the menu stays open); Escape, "Done" or a
// click outside closes it and gives focus back to the button. Its label says what is chosen.
import * as DM from "@radix-ui/react-dropdown-menu";
import { useId } from "react";
import { useTranslation } from "react-i18next";
import { MenuCheck, useMenuPlacement } from "../../components/Menu";
import { ORDER_STATUSES } from "./filters";

export function StatusFilter({ value, onChange }: { value: string[]; onChange: (next: string[]) => void }) {
  const { t, i18n } = useTranslation();
  const { dir, align } = useMenuPlacement("start");
  const labelId = useId();
  const buttonId = useId();
  const name = (s: string) => (i18n.exists(`status.${s}`) ? t(`status.${s}`) : s);
  const summary =
    value.length === 0 ? t("orders.filter.anyStatus") : value.length <= 2 ? value.map(name).join(" + ") : t("orders.filter.statusesN", { n: value.length });

  const toggle = (s: string, on: boolean) => onChange(on ? ORDER_STATUSES.filter((x) => x === s || value.includes(x)) : value.filter((x) => x !== s));
  // Statuses a saved view carries that this list does not know stay chosen and visible.
  const all = [...ORDER_STATUSES, ...value.filter((v) => !(ORDER_STATUSES as readonly string[]).includes(v))];

  return (
    <div className="status-filter">
      <span id={labelId}>{t("orders.filter.status")}</span>
      <DM.Root dir={dir}>
        <DM.Trigger
          id={buttonId}
          className="select-like"
          data-testid="filter-status"
          data-value={value.join(",")}
          aria-labelledby={`${labelId} ${buttonId}`}
        >
          {summary}
        </DM.Trigger>
        <DM.Portal>
          <DM.Content className="menu status-panel" align={align} sideOffset={4} loop aria-labelledby={labelId} data-testid="filter-status-panel">
            {all.map((s) => (
              <MenuCheck key={s} checked={value.includes(s)} onChange={(on) => toggle(s, on)} testId={`filter-status-${s}`}>
                {name(s)}
              </MenuCheck>
            ))}
            <DM.Separator className="menu-separator" />
            <DM.Item className="menu-item">{t("orders.filter.statusesDone")}</DM.Item>
          </DM.Content>
        </DM.Portal>
      </DM.Root>
    </div>
  );
}
