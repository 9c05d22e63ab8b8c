// Importing a statement file, from the file picker or dropped onto the window: one import at a
// time, a toast saying what it did (imported / already imported / revision N with its changes),
// and the list refetched. A refusal stays on screen with its translated code. Drops are heard only
// while `listening` (the statements tab): a bank file dropped on the payouts tab is no statement.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import type { TFunction } from "i18next";
import { useTranslation } from "react-i18next";
import { toast } from "sonner";
import { chooseOpenPath, ipc, onFileDrop, type ImportAnswer } from "../../ipc";
import { qk } from "../../app/queryKeys";

export const STATEMENT_EXTENSIONS = ["xlsx", "csv"];

/** The toast's text for an import's answer. */
export function importMessage(a: ImportAnswer, t: TFunction): string {
  const id = a.statement.statement_id;
  switch (a.kind) {
    case "unchanged":
      return t("reconciliation.toast.unchanged", { id });
    case "revision":
      return t("reconciliation.toast.revision", { id, revision: a.statement.revision, previous: a.previous_revision ?? a.statement.revision - 1, n: a.changes.length });
    default:
      return t("reconciliation.toast.imported", { id, lines: a.statement.line_count });
  }
}

export function useStatementImport(onImported: (a: ImportAnswer) => void, listening = true) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const [dragging, setDragging] = useState(false);
  const [pickError, setPickError] = useState<unknown>(null);
  const run = useMutation({
    mutationFn: (path: string) => ipc.statementImport(path),
    onSuccess: (a) => {
      if (a.kind === "unchanged") toast.info(importMessage(a, t));
      else toast.success(importMessage(a, t));
      void client.invalidateQueries({ queryKey: qk.statements });
      onImported(a);
    },
  });
  const { mutate, isPending } = run;
  // Read by the drop listener, which stays attached while an import runs.
  const pending = useRef(false);
  pending.current = isPending;

  useEffect(() => {
    if (!listening) return undefined;
    return onFileDrop((d) => {
      if (d.kind !== "drop") return setDragging(d.kind === "over");
      setDragging(false);
      const files = d.paths.filter((p) => STATEMENT_EXTENSIONS.some((x) => p.toLowerCase().endsWith(`.${x}`)));
      if (files.length !== 1 || d.paths.length !== 1) toast.error(t("reconciliation.dropOne"));
      else if (!pending.current) mutate(files[0] as string);
    });
  }, [mutate, t, listening]);

  const pick = async () => {
    setPickError(null);
    try {
      const path = await chooseOpenPath({ name: t("reconciliation.fileKind"), extensions: STATEMENT_EXTENSIONS });
      if (path) mutate(path);
    } catch (e) {
      setPickError(e);
    }
  };
  return { run, pick, pickError, dragging };
}
