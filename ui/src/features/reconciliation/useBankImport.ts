// Importing the bank statement CSV: picked with the open dialog, read in the account's currency,
// only credits naming Tamara unless every credit is taken; a toast says how many deposits came
// in, were recorded before, or were skipped, and the payouts and months are read again. A
// refusal (`bank_file_invalid` names the row and column) stays on screen with its code.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import type { TFunction } from "i18next";
import { useTranslation } from "react-i18next";
import { toast } from "sonner";
import { chooseOpenPath, ipc, type BankImportAnswer } from "../../ipc";
import { qk } from "../../app/queryKeys";

export const BANK_EXTENSIONS = ["csv"];

/** The toast's text for a bank import's answer. */
export function bankImportMessage(a: BankImportAnswer, t: TFunction): string {
  return t("reconciliation.payouts.toast.imported", { n: a.imported.length, already: a.already_recorded, skipped: a.skipped_rows });
}

export function useBankImport(currency: string, allCredits: boolean) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const [pickError, setPickError] = useState<unknown>(null);
  const run = useMutation({
    mutationFn: (path: string) => ipc.payoutImport(path, currency, allCredits),
    onSuccess: (a) => {
      if (a.imported.length === 0) toast.info(bankImportMessage(a, t));
      else toast.success(bankImportMessage(a, t));
      // The payouts, the open items and every month.
      void client.invalidateQueries({ queryKey: qk.statements });
    },
  });
  const pick = async () => {
    setPickError(null);
    run.reset();
    try {
      const path = await chooseOpenPath({ name: t("reconciliation.payouts.bankFileKind"), extensions: BANK_EXTENSIONS });
      if (path) run.mutate(path);
    } catch (e) {
      setPickError(e);
    }
  };
  return { run, pick, pickError };
}
