// A modal dialog on Radix's: Escape, a click outside and the close button dismiss it, focus is
// trapped inside and goes back to where it was on close. On open the focus goes to the first
// field, else the form's submit button, else the first button (not the close button). Its body
// scrolls while the footer stays in view (styles.css, .dialog-footer). It sits in a portal on
// <body>, so it takes its direction from <html dir>.
import * as RD from "@radix-ui/react-dialog";
import { useRef, useState, type ReactNode } from "react";
import { useTranslation } from "react-i18next";

/** Where the focus goes when a dialog opens: a Close button first would make Enter dismiss it. */
export function initialFocus(root: HTMLElement | null): HTMLElement | null {
  return (
    root?.querySelector<HTMLElement>("input:not(:disabled), select:not(:disabled), textarea:not(:disabled)") ??
    root?.querySelector<HTMLElement>("form button[type=submit]:not(:disabled)") ??
    root?.querySelector<HTMLElement>("button:not(.dialog-close):not(:disabled)") ??
    root
  );
}

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
  const ref = useRef<HTMLDivElement>(null);
  // Callers mount the dialog to open it (no Radix trigger), so the element to go back to is
  // whatever had the focus when it mounted.
  const [previous] = useState(() => document.activeElement as HTMLElement | null);
  return (
    <RD.Root open onOpenChange={(open) => !open && onClose()}>
      <RD.Portal>
        <RD.Overlay className="backdrop">
          <RD.Content
            ref={ref}
            className={wide ? "dialog wide" : "dialog"}
            data-testid={testId}
            aria-describedby={undefined}
            onOpenAutoFocus={(e) => {
              e.preventDefault();
              initialFocus(ref.current)?.focus();
            }}
            onCloseAutoFocus={(e) => {
              e.preventDefault();
              if (previous?.isConnected) previous.focus();
            }}
          >
            <header className="dialog-header">
              <RD.Title>{title}</RD.Title>
              <RD.Close className="dialog-close ghost" aria-label={t("common.close")}>
                ×
              </RD.Close>
            </header>
            {children}
          </RD.Content>
        </RD.Overlay>
      </RD.Portal>
    </RD.Root>
  );
}
