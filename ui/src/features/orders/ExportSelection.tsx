// "Export selection as CSV": the ticked orders written by the core's own orders export (same
// columns and rules as the Export screen's, restricted to these ids), to a file picked in the
// native save dialog. A file that exists is replaced only after the operator confirms, naming
// it (the Export screen's dialog); the outcome is a toast.
import { useMutation, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { toast } from "sonner";
import { chooseSavePath, ipc, toIpcError } from "../../ipc";
import { qk } from "../../app/queryKeys";
import { formatCount } from "../../lib/time";
import { useExportForm } from "../exports/exportForm";
import { ReplaceDialog } from "../exports/ReplaceDialog";

export function ExportSelection({ orderIds }: { orderIds: string[] }) {
  const { t, i18n } = useTranslation();
  const info = useQuery({ queryKey: qk.appInfo, queryFn: () => ipc.appInfo() });
  // Local times in the zone the Export screen uses, so both files read alike.
  const [form] = useExportForm();
  const [target, setTarget] = useState<{ path: string; ids: string[] } | null>(null);
  const [replacing, setReplacing] = useState<string[] | null>(null);
  const env = info.data?.demo ? "demo" : (info.data?.environment ?? "sandbox");

  const fail = (e: unknown) => {
    const err = toIpcError(e);
    toast.error(t("orders.exportSelection.failed"), { description: t(`errors.${err.code}`, { defaultValue: err.message }) });
  };
  const ask = async (path: string) => {
    const existing = await ipc.exportExisting("orders", path).catch(() => []);
    if (existing.length > 0) setReplacing(existing);
    return existing.length > 0;
  };
  const run = useMutation({
    mutationFn: ({ path, ids, overwrite }: { path: string; ids: string[]; overwrite: boolean }) =>
      ipc.exportRun("orders", path, null, null, form.zone.trim() || "UTC", overwrite, ids),
    onSuccess: (r) => toast.success(t("orders.exportSelection.done", { n: formatCount(r.rows, i18n.language), path: r.path })),
    onError: (e, v) => {
      // Another program made the file between the check and the export: ask then.
      if (toIpcError(e).code === "export_file_exists") void ask(v.path);
      else fail(e);
    },
  });

  const start = async () => {
    try {
      const path = await chooseSavePath(`mizan-orders-${env}-selection-${orderIds.length}.csv`, { name: "CSV", extensions: ["csv"] });
      if (!path) return;
      const next = { path, ids: [...orderIds] };
      setTarget(next);
      if (!(await ask(path))) run.mutate({ ...next, overwrite: false });
    } catch (e) {
      fail(e);
    }
  };

  return (
    <>
      <button type="button" className="ghost" disabled={orderIds.length === 0 || run.isPending} data-testid="export-selection" onClick={() => void start()}>
        {run.isPending ? t("exports.running") : t("orders.exportSelection.open")}
      </button>
      {replacing && target && (
        <ReplaceDialog
          paths={replacing}
          onKeep={() => setReplacing(null)}
          onReplace={() => {
            setReplacing(null);
            run.mutate({ ...target, overwrite: true });
          }}
        />
      )}
    </>
  );
}
