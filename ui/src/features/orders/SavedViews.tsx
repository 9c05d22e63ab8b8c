// Saved views: named filter sets kept by the shell (so they survive restarts and are shared with
// other consoles on the same data dir).
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { ipc, toIpcError, type SavedView } from "../../ipc";
import { qk } from "../../app/queryKeys";
import type { OrdersFilter } from "./filters";

type Props = { current: OrdersFilter; onApply: (view: SavedView) => void };

export function SavedViews({ current, onApply }: Props) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const views = useQuery({ queryKey: qk.savedViews, queryFn: () => ipc.savedViews() });
  const [selected, setSelected] = useState("");
  const [naming, setNaming] = useState(false);
  const [name, setName] = useState("");
  const save = useMutation({
    mutationFn: (n: string) => ipc.saveView(n, { ...current, offset: 0, limit: 0 }),
    onSuccess: (_, n) => {
      setNaming(false);
      setName("");
      setSelected(n);
      void client.invalidateQueries({ queryKey: qk.savedViews });
    },
  });
  const remove = useMutation({
    mutationFn: (n: string) => ipc.deleteView(n),
    onSuccess: () => {
      setSelected("");
      void client.invalidateQueries({ queryKey: qk.savedViews });
    },
  });
  const error = views.error ?? save.error ?? remove.error;

  return (
    <div className="saved-views">
      <label>
        <span>{t("orders.views.label")}</span>
        <select
          data-testid="saved-views"
          value={selected}
          disabled={!views.data?.length}
          onChange={(e) => {
            setSelected(e.target.value);
            const view = views.data?.find((v) => v.name === e.target.value);
            if (view) onApply(view);
          }}
        >
          <option value="">{views.data?.length ? t("orders.views.pick") : t("orders.views.none")}</option>
          {views.data?.map((v) => (
            <option key={v.name} value={v.name}>
              {v.name}
            </option>
          ))}
        </select>
      </label>
      {selected && (
        <button type="button" className="ghost" onClick={() => remove.mutate(selected)} disabled={remove.isPending}>
          {t("orders.views.delete")}
        </button>
      )}
      {naming ? (
        <form
          className="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (name.trim()) save.mutate(name.trim());
          }}
        >
          <input autoFocus value={name} onChange={(e) => setName(e.target.value)} placeholder={t("orders.views.namePlaceholder")} aria-label={t("orders.views.name")} />
          <button type="submit" disabled={!name.trim() || save.isPending}>
            {t("common.save")}
          </button>
          <button type="button" className="ghost" onClick={() => setNaming(false)}>
            {t("common.cancel")}
          </button>
        </form>
      ) : (
        <button type="button" className="ghost" onClick={() => setNaming(true)} data-testid="save-view">
          {t("orders.views.save")}
        </button>
      )}
      {error && (
        <span className="field-error" role="alert">
          {toIpcError(error).message} <code className="code">{toIpcError(error).code}</code>
        </span>
      )}
    </div>
  );
}
