// A sale at the till: the link texted to the customer or shown as a QR code, and voiding it
// while the customer has not paid. The core checks every field before anything is sent.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { ipc, type TillChannel, type TillSaleInput } from "../../ipc";
import { Dialog } from "../../components/Dialog";
import { ErrorState } from "../../components/States";

const CURRENCIES = ["SAR", "AED", "KWD", "BHD", "QAR", "OMR"];

const EMPTY: TillSaleInput = { channel: "sms", phone: "", email: "", device_id: "", amount: "", currency: "SAR", reference: "", item: "" };

export function TillSale() {
  const { t } = useTranslation();
  const client = useQueryClient();
  const [form, setForm] = useState<TillSaleInput>(EMPTY);
  const [confirming, setConfirming] = useState(false);
  const start = useMutation({
    mutationFn: (input: TillSaleInput) => ipc.tillStart(input),
    onSuccess: () => void client.invalidateQueries({ queryKey: ["orders"] }),
  });
  const session = start.data;
  const voiding = useMutation({ mutationFn: (s: { checkout_id: string; order_id: string }) => ipc.tillVoid(s.checkout_id, s.order_id) });
  const set = (patch: Partial<TillSaleInput>) => setForm({ ...form, ...patch });
  const channel = (c: TillChannel) => set({ channel: c });
  return (
    <section className="panel" aria-labelledby="till-sale-title">
      <h2 id="till-sale-title">{t("till.sale.title")}</h2>
      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault();
          voiding.reset();
          start.mutate(form);
        }}
      >
        <div className="segmented" role="radiogroup" aria-label={t("till.sale.channel")}>
          {(["sms", "qr"] as const).map((c) => (
            <button key={c} type="button" role="radio" aria-checked={form.channel === c} onClick={() => channel(c)} data-testid={`till-channel-${c}`}>
              {t(c === "sms" ? "till.sale.sms" : "till.sale.qr")}
            </button>
          ))}
        </div>
        <div className="form-row">
          {form.channel === "sms" ? (
            <>
              <label>
                <span>{t("till.phone")}</span>
                <input dir="ltr" inputMode="tel" value={form.phone ?? ""} placeholder="966500000001" onChange={(e) => set({ phone: e.target.value })} data-testid="till-phone" />
              </label>
              <label>
                <span>{t("till.sale.email")}</span>
                <input dir="ltr" type="email" value={form.email ?? ""} onChange={(e) => set({ email: e.target.value })} />
              </label>
            </>
          ) : (
            <label>
              <span>{t("till.sale.device")}</span>
              <input dir="ltr" value={form.device_id ?? ""} placeholder="TILL-01" onChange={(e) => set({ device_id: e.target.value })} data-testid="till-device" />
            </label>
          )}
        </div>
        <div className="form-row">
          <label>
            <span>{t("till.amount")}</span>
            <input dir="ltr" className="amount-input" inputMode="decimal" value={form.amount} onChange={(e) => set({ amount: e.target.value })} data-testid="till-amount" />
          </label>
          <label>
            <span>{t("till.currency")}</span>
            <select value={form.currency} onChange={(e) => set({ currency: e.target.value })}>
              {CURRENCIES.map((c) => (
                <option key={c}>{c}</option>
              ))}
            </select>
          </label>
          <label>
            <span>{t("till.sale.reference")}</span>
            <input dir="ltr" value={form.reference} onChange={(e) => set({ reference: e.target.value })} data-testid="till-reference" />
          </label>
          <label className="grow">
            <span>{t("till.sale.item")}</span>
            <input value={form.item ?? ""} placeholder={t("till.sale.itemDefault")} onChange={(e) => set({ item: e.target.value })} />
          </label>
        </div>
        {start.error && <ErrorState error={start.error} compact />}
        <div>
          <button type="submit" className="primary" disabled={start.isPending} data-testid="till-start">
            {t(form.channel === "sms" ? "till.sale.send" : "till.sale.showQr")}
          </button>
        </div>
      </form>
      {session && (
        <div className="notice" role="status" data-testid="till-session">
          <p>{t(start.variables?.channel === "qr" ? "till.sale.startedQr" : "till.sale.startedSms")}</p>
          <p>
            {t("till.sale.order")} <bdi className="code">{session.order_id}</bdi> · {t("till.sale.checkout")}{" "}
            <bdi className="code">{session.checkout_id}</bdi>
          </p>
          <p dir="ltr" className="mono" data-testid="till-link">
            {session.link}
          </p>
          {voiding.data ? (
            <p className={voiding.data.voided ? "ok-text" : "bad-text"} data-testid="till-void-result">
              {voiding.data.voided ? t("till.void.done") : t("till.void.not", { reason: voiding.data.message ?? "-" })}
            </p>
          ) : (
            <button type="button" className="danger" onClick={() => setConfirming(true)} data-testid="till-void">
              {t("till.void.action")}
            </button>
          )}
          {voiding.error && <ErrorState error={voiding.error} compact />}
        </div>
      )}
      {confirming && session && (
        <Dialog title={t("till.void.title")} onClose={() => setConfirming(false)} testId="till-void-dialog">
          <p>{t("till.void.explain", { checkout: session.checkout_id })}</p>
          <footer className="dialog-footer">
            <button type="button" onClick={() => setConfirming(false)}>
              {t("till.void.keep")}
            </button>
            <button
              type="button"
              className="danger"
              data-testid="till-void-confirm"
              onClick={() => {
                setConfirming(false);
                voiding.mutate({ checkout_id: session.checkout_id, order_id: session.order_id });
              }}
            >
              {t("till.void.confirm")}
            </button>
          </footer>
        </Dialog>
      )}
    </section>
  );
}
