// What Tamara would offer before a sale: the payment types of a country with their limits and
// instalments, the payment-options pre-check for one customer and amount, and whether Tamara
// verified the customer's national ID (SA and AE only).
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { ipc } from "../../ipc";
import { Amount } from "../../components/Amount";
import { ErrorState } from "../../components/States";

const COUNTRIES = ["SA", "AE", "KW", "BH", "QA", "OM"];
const CURRENCY: Record<string, string> = { SA: "SAR", AE: "AED", KW: "KWD", BH: "BHD", QA: "QAR", OM: "OMR" };

export function TillOffers() {
  const { t, i18n } = useTranslation();
  const [country, setCountry] = useState("SA");
  const [amount, setAmount] = useState("");
  const [phone, setPhone] = useState("");
  const currency = CURRENCY[country] ?? "SAR";
  const types = useMutation({ mutationFn: () => ipc.tillPaymentTypes(country, amount.trim() || null, currency) });
  const pre = useMutation({ mutationFn: () => ipc.tillPreCheck(country, phone, amount, currency) });
  const id = useMutation({ mutationFn: () => ipc.tillIdStatus(phone, country) });
  const arabic = i18n.language === "ar";
  return (
    <section className="panel" aria-labelledby="till-offers-title">
      <h2 id="till-offers-title">{t("till.offers.title")}</h2>
      <p className="muted">{t("till.offers.explain")}</p>
      <div className="form-row">
        <label>
          <span>{t("till.offers.country")}</span>
          <select value={country} onChange={(e) => setCountry(e.target.value)} data-testid="till-country">
            {COUNTRIES.map((c) => (
              <option key={c}>{c}</option>
            ))}
          </select>
        </label>
        <label>
          <span>
            {t("till.amount")} ({currency})
          </span>
          <input dir="ltr" className="amount-input" inputMode="decimal" value={amount} onChange={(e) => setAmount(e.target.value)} data-testid="till-offers-amount" />
        </label>
        <label>
          <span>{t("till.phone")}</span>
          <input dir="ltr" inputMode="tel" value={phone} placeholder="966500000001" onChange={(e) => setPhone(e.target.value)} data-testid="till-offers-phone" />
        </label>
      </div>
      <div className="toolbar">
        <button type="button" onClick={() => types.mutate()} disabled={types.isPending} data-testid="till-types">
          {t("till.offers.types")}
        </button>
        <button type="button" onClick={() => pre.mutate()} disabled={pre.isPending || !phone.trim() || !amount.trim()} data-testid="till-precheck">
          {t("till.offers.preCheck")}
        </button>
        <button type="button" onClick={() => id.mutate()} disabled={id.isPending || !phone.trim()} data-testid="till-id">
          {t("till.offers.idCheck")}
        </button>
      </div>
      {[types.error, pre.error, id.error].map((e, i) => e && <ErrorState key={i} error={e} compact />)}
      {types.data && (
        <table className="data-table" data-testid="till-types-table">
          <thead>
            <tr>
              <th>{t("till.offers.type")}</th>
              <th>{t("till.offers.min")}</th>
              <th>{t("till.offers.max")}</th>
              <th>{t("till.offers.instalments")}</th>
              <th>{t("till.offers.description")}</th>
            </tr>
          </thead>
          <tbody>
            {types.data.length === 0 && (
              <tr>
                <td colSpan={5}>{t("till.offers.none")}</td>
              </tr>
            )}
            {types.data.map((row) => (
              <tr key={row.name}>
                <td className="mono">{row.name}</td>
                <td>{row.min ? <Amount value={row.min} currency={row.currency ?? undefined} /> : "—"}</td>
                <td>{row.max ? <Amount value={row.max} currency={row.currency ?? undefined} /> : "—"}</td>
                <td>{row.instalments.length ? row.instalments.join(", ") : "—"}</td>
                <td>{(arabic ? row.description_ar : row.description) ?? row.description ?? ""}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {pre.data && (
        <div className="notice" role="status" data-testid="till-precheck-result">
          <p className={pre.data.available ? "ok-text" : "bad-text"}>{t(pre.data.available ? "till.offers.available" : "till.offers.unavailable")}</p>
          {pre.data.options.length > 0 && (
            <ul>
              {pre.data.options.map((o, i) => (
                <li key={i}>
                  <span className="mono">{o.payment_type}</span>
                  {o.instalments ? ` (${o.instalments})` : ""} {(arabic ? o.description_ar : o.description_en) ?? ""}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      {id.data !== undefined && (
        <p className={`notice ${id.data ? "ok-text" : ""}`} role="status" data-testid="till-id-result">
          {t(id.data ? "till.offers.idVerified" : "till.offers.idNotVerified")}
        </p>
      )}
    </section>
  );
}
