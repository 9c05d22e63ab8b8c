// Global keys. Letter shortcuts never fire while the operator types (inputs, text areas,
// editable content) so they cannot steal text-editing keys; Ctrl/Cmd+K and Alt+digit work
// everywhere.
import { useEffect } from "react";
import { SCREENS, navigate } from "./router";

export function isTyping(e: KeyboardEvent): boolean {
  const el = e.target as HTMLElement | null;
  if (!el || !el.tagName) return false;
  return el.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName);
}

export function focusOrderSearch(): void {
  navigate({ screen: "orders" });
  requestAnimationFrame(() => document.getElementById("orders-search")?.focus());
}

export function useGlobalShortcuts(openPalette: () => void): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && !e.altKey && e.key.toLowerCase() === "k") {
        e.preventDefault();
        openPalette();
        return;
      }
      if (e.altKey && !e.ctrlKey && !e.metaKey && /^[0-9]$/.test(e.key)) {
        // Alt+1 … Alt+9 are the first nine screens and Alt+0 the tenth (shortcutDigit).
        const screen = SCREENS[(Number(e.key) + 9) % 10];
        if (screen) {
          e.preventDefault();
          navigate({ screen });
        }
        return;
      }
      if (e.key === "/" && !isTyping(e) && !e.ctrlKey && !e.metaKey) {
        e.preventDefault();
        focusOrderSearch();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [openPalette]);
}
