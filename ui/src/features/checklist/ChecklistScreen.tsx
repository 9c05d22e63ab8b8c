// The go-live checklist: automatic items (proven by evidence the console found) and manual ones
// (signed off with a note), a rehearsal against the sandbox, and a sign-off report.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { ipc } from "../../ipc";
import { qk } from "../../app/queryKeys";
import { useMarkReady } from "../../app/ready";
import { Empty, ErrorState, Loading } from "../../components/States";
import { ChecklistRow } from "./ChecklistRow";
import { Rehearsal } from "./Rehearsal";
import { SignOffReport } from "./SignOffReport";

export function ChecklistScreen() {
  const { t } = useTranslation();
  const client = useQueryClient();
  const q = useQuery({ queryKey: qk.checklist, queryFn: () => ipc.checklist() });
  useMarkReady(!q.isPending);
  const mark = useMutation({
    mutationFn: ({ id, note }: { id: string; note: string }) => ipc.checklistMark(id, note),
    onSuccess: () => void client.invalidateQueries({ queryKey: qk.checklist }),
  });
  const done = q.data?.filter((i) => i.done).length ?? 0;
  return (
    <section className="screen" aria-labelledby="checklist-title">
      <header className="screen-header">
        <h1 id="checklist-title">{t("checklist.title")}</h1>
        {q.data && (
          <span className="muted" data-testid="checklist-progress">
            {t("checklist.progress", { done, total: q.data.length })}
          </span>
        )}
      </header>
      <p className="muted">{t("checklist.explain")}</p>
      {q.isPending ? (
        <Loading />
      ) : q.error ? (
        <ErrorState error={q.error} onRetry={() => void q.refetch()} />
      ) : q.data.length === 0 ? (
        <Empty title={t("checklist.emptyTitle")} />
      ) : (
        <ul className="checklist" data-testid="checklist">
          {q.data.map((item) => (
            <ChecklistRow key={item.id} item={item} onMark={(note) => mark.mutate({ id: item.id, note })} pending={mark.isPending} />
          ))}
        </ul>
      )}
      {mark.error && <ErrorState error={mark.error} compact />}
      <div className="detail-grid">
        <Rehearsal onDone={() => void client.invalidateQueries({ queryKey: qk.checklist })} />
        <SignOffReport />
      </div>
    </section>
  );
}
