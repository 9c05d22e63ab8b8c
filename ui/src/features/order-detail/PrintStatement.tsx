// "Print statement": the core renders the order's statement as a page in the operator's
// language; it is printed from a hidden frame, and the system's print dialog also saves it as
// PDF. Nothing is sent anywhere.
import { useMutation } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { ipc } from "../../ipc";
import { ErrorState } from "../../components/States";

/** Prints `html` from a hidden frame, removed once the print dialog is done with it. */
export function printPage(html: string): HTMLIFrameElement {
  const frame = document.createElement("iframe");
  frame.setAttribute("aria-hidden", "true");
  frame.style.position = "fixed";
  frame.style.width = "0";
  frame.style.height = "0";
  frame.style.border = "0";
  frame.srcdoc = html;
  frame.onload = () => {
    frame.contentWindow?.focus();
    frame.contentWindow?.print();
    setTimeout(() => frame.remove(), 60_000);
  };
  document.body.appendChild(frame);
  return frame;
}

export function PrintStatement({ orderId }: { orderId: string }) {
  const { t } = useTranslation();
  const page = useMutation({
    mutationFn: () => ipc.orderStatement(orderId, null),
    onSuccess: (html) => void printPage(html),
  });
  return (
    <>
      <button type="button" className="ghost" onClick={() => page.mutate()} disabled={page.isPending} data-testid="order-print">
        {t("detail.print")}
      </button>
      {page.error && <ErrorState error={page.error} compact />}
    </>
  );
}
