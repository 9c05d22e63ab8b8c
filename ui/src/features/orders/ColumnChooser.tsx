import * as DM from "@radix-ui/react-dropdown-menu";
import type { VisibilityState } from "@tanstack/react-table";
import { useTranslation } from "react-i18next";
import { MenuCheck, useMenuPlacement } from "../../components/Menu";
import { orderColumns } from "./columns";

/** Shows or hides the table's columns; the choice is remembered on this machine. A Radix menu:
 *  arrow keys move, Space ticks, Escape or a click outside closes it and focus goes back to its
 *  button. */
export function ColumnChooser({ visibility, onChange }: { visibility: VisibilityState; onChange: (v: VisibilityState) => void }) {
  const { t } = useTranslation();
  const { dir, align } = useMenuPlacement("end");
  return (
    <DM.Root dir={dir}>
      <DM.Trigger className="ghost" data-testid="columns-button">
        {t("orders.columns")}
      </DM.Trigger>
      <DM.Portal>
        <DM.Content className="menu" align={align} sideOffset={4} loop aria-label={t("orders.columns")} data-testid="columns-menu">
          {orderColumns("en").map((c) => {
            const id = c.id ?? "";
            return (
              <MenuCheck
                key={id}
                checked={visibility[id] !== false}
                disabled={id === "reference"}
                onChange={(on) => onChange({ ...visibility, [id]: on })}
              >
                {t(String(c.header))}
              </MenuCheck>
            );
          })}
        </DM.Content>
      </DM.Portal>
    </DM.Root>
  );
}
