// A modal dialog: Escape and the close button dismiss it, focus moves into it on open (the first
// field, else the form's submit button) and goes back to where it was on close. Its body
// scrolls while the footer stays in view (styles.css, .dialog-footer).
import { useEffect, useId, useRef, type ReactNode } from "react";
import { useTranslation } from "react-i18next";

export function Dialog({
  title,
  onClose,
  children,
  testId,
  wide,
}: {
  title: string;
  onClose: () => void;
  children: ReactNode;
  testId?: string;
  wide?: boolean;
}) {
  const { t } = useTranslation();
  const titleId = useId();
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const previous = document.activeElement as HTMLElement | null;
    // The first field; with none, the form's own submit button, so Enter does what the dialog
    // is for (a Close button first would make Enter dismiss it); else the first button.
    const root = ref.current;
    const first =
      root?.querySelector<HTMLElement>("input, select, textarea") ??
      root?.querySelector<HTMLElement>("form button[type=submit]:not(:disabled)") ??
      root?.querySelector<HTMLElement>("button:not(.dialog-close)");
    (first ?? root)?.focus();
    return () => previous?.focus?.();
  }, []);
  return (
    <div className="backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div
        ref={ref}
        className={wide ? "dialog wide" : "dialog"}
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        data-testid={testId}
        tabIndex={-1}
        onKeyDown={(e) => {
          if (e.key === "Escape") {
            e.stopPropagation();
            onClose();
          }
        }}
      >
        <header className="dialog-header">
          <h2 id={titleId}>{title}</h2>
          <button type="button" className="dialog-close ghost" aria-label={t("common.close")} onClick={onClose}>
            ×
          </button>
        </header>
        {children}
      </div>
    </div>
  );
}
