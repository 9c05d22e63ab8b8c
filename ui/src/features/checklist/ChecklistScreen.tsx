// The go-live checklist: automatic items (proven by evidence the console found) and manual ones
// (signed off with a note), a rehearsal against the sandbox, and a sign-off report.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { ipc, type ChecklistItem } from "../../ipc";
import { qk } from "../../app/queryKeys";
import { useMarkReady } from "../../app/ready";
import { Empty, ErrorState, Loading } from "../../components/States";
import { ChecklistRow, type Mark } from "./ChecklistRow";
import { Rehearsal } from "./Rehearsal";
import { SignOffReport } from "./SignOffReport";

/** Items grouped by their section, in the order the shell lists them. */
function sections(items: ChecklistItem[]): [string, ChecklistItem[]][] {
  const groups = new Map<string, ChecklistItem[]>();
  for (const item of items) groups.set(item.section, [...(groups.get(item.section) ?? []), item]);
  return [...groups];
}

export function ChecklistScreen() {
  const { t } = useTranslation();
  const client = useQueryClient();
  const q = useQuery({ queryKey: qk.checklist, queryFn: () => ipc.checklist() });
  useMarkReady(!q.isPending);
  const mark = useMutation({
    mutationFn: ({ id, done, note }: { id: string } & Mark) => ipc.checklistMark(id, done, note),
    onSuccess: () => void client.invalidateQueries({ queryKey: qk.checklist }),
  });
  const required = q.data?.filter((i) => !i.optional) ?? [];
  const done = required.filter((i) => i.done).length;
  return (
    <section className="screen" aria-labelledby="checklist-title">
      <header className="screen-header">
        <h1 id="checklist-title">{t("checklist.title")}</h1>
        {q.data && (
          <span className="muted" data-testid="checklist-progress">
            {t("checklist.progress", { done, total: required.length })}
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
        <div className="checklist" data-testid="checklist">
          {sections(q.data).map(([section, items]) => (
            <section key={section} aria-label={section}>
              <h2 dir="auto">{section}</h2>
              <ul className="checklist">
                {items.map((item) => (
                  <ChecklistRow key={item.id} item={item} onMark={(m) => mark.mutate({ id: item.id, ...m })} pending={mark.isPending} />
                ))}
              </ul>
            </section>
          ))}
        </div>
      )}
      {mark.error && <ErrorState error={mark.error} compact />}
      <div className="detail-grid">
        <Rehearsal onDone={() => void client.invalidateQueries({ queryKey: qk.checklist })} />
        <SignOffReport />
      </div>
    </section>
  );
}
