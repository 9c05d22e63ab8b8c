// "Add payout": a deposit entered by hand — amount, currency, value date (the app's day input),
// bank reference, the open statements it settles (none ticked: Mizan matches them itself), the
// largest bank fee allowed and a note. The shell checks every field; a refusal
// (`payout_conflict`, `invalid_input` naming the field) stays in the dialog.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { toast } from "sonner";
import { ipc, type StatementDueView } from "../../ipc";
import { qk } from "../../app/queryKeys";
import { Amount } from "../../components/Amount";
import { DayInput } from "../../components/DayInput";
import { Dialog } from "../../components/Dialog";
import { ErrorState } from "../../components/States";
import { CurrencySelect } from "../../components/CurrencySelect";
import { dayIn, isIsoDay, localTimeZone } from "../../lib/time";

export function AddPayoutDialog({ open, onClose }: { open: StatementDueView[]; onClose: () => void }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const [amount, setAmount] = useState("");
  const [currency, setCurrency] = useState("SAR");
  const [day, setDay] = useState(() => dayIn(localTimeZone(), new Date()));
  const [reference, setReference] = useState("");
  const [ticked, setTicked] = useState<number[]>([]);
  const [maxFee, setMaxFee] = useState("");
  const [note, setNote] = useState("");
  const choices = open.filter((s) => s.currency === currency);
  const save = useMutation({
    mutationFn: () =>
      ipc.payoutAdd({
        amount: amount.trim(),
        currency,
        paid_on: day,
        reference: reference.trim() || null,
        statements: ticked.filter((id) => choices.some((s) => s.id === id)),
        max_fee: maxFee.trim() || null,
        note: note.trim() || null,
      }),
    onSuccess: (p) => {
      const values = { amount: p.amount, currency: p.currency, n: p.statements.length };
      toast.success(p.statements.length > 0 ? t("reconciliation.payouts.toast.added", values) : t("reconciliation.payouts.toast.addedUnmatched", values));
      void client.invalidateQueries({ queryKey: qk.statements });
      onClose();
    },
  });
  const tick = (id: number, on: boolean) => setTicked((old) => (on ? [...old, id] : old.filter((x) => x !== id)));
  const ready = amount.trim() !== "" && isIsoDay(day) && !save.isPending;

  return (
    <Dialog title={t("reconciliation.payouts.form.title")} onClose={onClose} testId="payout-add-dialog">
      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault();
          if (ready) save.mutate();
        }}
      >
        <div className="form-row">
          <label className="grow">
            <span>{t("reconciliation.payouts.form.amount")}</span>
            <input dir="ltr" inputMode="decimal" value={amount} onChange={(e) => setAmount(e.target.value)} data-testid="payout-amount" />
          </label>
          <label>
            <span>{t("reconciliation.payouts.form.currency")}</span>
            <CurrencySelect value={currency} onChange={setCurrency} testId="payout-currency" />
          </label>
        </div>
        <div className="form-row">
          <label>
            <span>{t("reconciliation.payouts.form.date")}</span>
            <DayInput value={day} onChange={setDay} testId="payout-date" />
          </label>
          <label className="grow">
            <span>{t("reconciliation.payouts.form.reference")}</span>
            <input dir="ltr" value={reference} onChange={(e) => setReference(e.target.value)} data-testid="payout-reference" />
          </label>
        </div>
        <fieldset data-testid="payout-statements">
          <legend>{t("reconciliation.payouts.form.statements")}</legend>
          {choices.length === 0 ? (
            <p className="muted small">{t("reconciliation.payouts.form.noOpen")}</p>
          ) : (
            choices.map((s) => (
              <label key={s.id} className="check">
                <input type="checkbox" checked={ticked.includes(s.id)} onChange={(e) => tick(s.id, e.target.checked)} data-testid="payout-statement-tick" data-id={s.id} />
                <span className="mono" dir="ltr">
                  {s.statement_id}
                </span>
                <Amount value={s.net_payable} currency={s.currency} />
              </label>
            ))
          )}
          <p className="muted small">{t("reconciliation.payouts.form.statementsHint")}</p>
        </fieldset>
        <label>
          <span>{t("reconciliation.payouts.form.maxFee")}</span>
          <input dir="ltr" inputMode="decimal" value={maxFee} onChange={(e) => setMaxFee(e.target.value)} placeholder={t("reconciliation.payouts.form.maxFeeHint")} data-testid="payout-max-fee" />
        </label>
        <label>
          <span>{t("reconciliation.payouts.form.note")}</span>
          <textarea dir="auto" rows={2} value={note} onChange={(e) => setNote(e.target.value)} data-testid="payout-note" />
        </label>
        {save.error && <ErrorState error={save.error} compact />}
        <footer className="dialog-footer">
          <button type="button" className="ghost" onClick={onClose}>
            {t("common.cancel")}
          </button>
          <button type="submit" className="primary" disabled={!ready} data-testid="payout-save">
            {save.isPending ? t("reconciliation.payouts.form.saving") : t("reconciliation.payouts.form.save")}
          </button>
        </footer>
      </form>
    </Dialog>
  );
}
