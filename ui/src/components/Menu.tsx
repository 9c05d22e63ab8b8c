// Pieces shared by the drop-down menus built on Radix's (arrow keys, Escape, type-ahead, focus
// back to the button): the direction of the UI language, and a tick item that keeps the menu
// open so several can be ticked in a row.
import * as DM from "@radix-ui/react-dropdown-menu";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";

/** The menu's direction and where it lines up: Radix aligns physically, the UI thinks in
 *  inline start/end, so "end" is the left edge in Arabic. */
export function useMenuPlacement(inline: "start" | "end"): { dir: "ltr" | "rtl"; align: "start" | "end" } {
  const { i18n } = useTranslation();
  const dir = i18n.dir(i18n.language) === "rtl" ? "rtl" : "ltr";
  const flip = (a: "start" | "end") => (a === "start" ? "end" : "start");
  return { dir, align: dir === "rtl" ? flip(inline) : inline };
}

export function MenuCheck({
  checked,
  disabled,
  onChange,
  testId,
  children,
}: {
  checked: boolean;
  disabled?: boolean;
  onChange: (on: boolean) => void;
  testId?: string;
  children: ReactNode;
}) {
  return (
    <DM.CheckboxItem
      className="menu-item"
      checked={checked}
      disabled={disabled}
      data-testid={testId}
      onCheckedChange={(on) => onChange(on === true)}
      onSelect={(e) => e.preventDefault()}
    >
      <span className="menu-tick" aria-hidden="true">
        <DM.ItemIndicator>✓</DM.ItemIndicator>
      </span>
      {children}
    </DM.CheckboxItem>
  );
}
