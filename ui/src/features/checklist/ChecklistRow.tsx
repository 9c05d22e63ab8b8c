import { useState } from "react";
import { useTranslation } from "react-i18next";
import type { ChecklistItem } from "../../ipc";
import { navigate } from "../../app/router";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Evidence that names an order opens it; anything else is shown as written. */
function Evidence({ text }: { text: string }) {
  return (
    <span className="evidence" dir="auto">
      {text.split(/([\s,;()]+)/).map((part, i) =>
        UUID.test(part) ? (
          <button key={i} type="button" className="link mono" onClick={() => navigate({ screen: "orders", orderId: part })}>
            {part}
          </button>
        ) : (
          <span key={i}>{part}</span>
        ),
      )}
    </span>
  );
}

export type Mark = { done: boolean; note: string | null };

export function ChecklistRow({ item, onMark, pending }: { item: ChecklistItem; onMark: (m: Mark) => void; pending: boolean }) {
  const { t } = useTranslation();
  const [noting, setNoting] = useState(false);
  const [note, setNote] = useState(item.note ?? "");
  return (
    <li className={item.done ? "checklist-item done" : "checklist-item"} data-testid="checklist-item" data-id={item.id} data-done={item.done}>
      <span className="check-mark" aria-label={item.done ? t("checklist.done") : t("checklist.open")}>
        {item.done ? "✓" : "○"}
      </span>
      <div className="grow">
        <strong dir="auto">{item.title}</strong> <span className="badge tone-neutral">{t(`checklist.kind.${item.kind}`)}</span>
        {item.optional && <span className="badge tone-muted">{t("checklist.optional")}</span>}
        {item.evidence.length > 0 && (
          <ul className="evidence-list small">
            {item.evidence.map((e, i) => (
              <li key={i}>
                <Evidence text={e} />
              </li>
            ))}
          </ul>
        )}
        {item.note && !noting && (
          <p className="small muted" dir="auto">
            {item.kind === "manual" ? `${t("checklist.note")}: ` : `${t("checklist.missing")}: `}
            {item.note}
          </p>
        )}
        {noting && (
          <form
            className="inline-form"
            onSubmit={(e) => {
              e.preventDefault();
              onMark({ done: true, note: note.trim() });
              setNoting(false);
            }}
          >
            <input className="grow" value={note} onChange={(e) => setNote(e.target.value)} placeholder={t("checklist.notePlaceholder")} aria-label={t("checklist.note")} autoFocus />
            <button type="submit" className="primary" disabled={!note.trim() || pending}>
              {t("checklist.markDone")}
            </button>
            <button type="button" className="ghost" onClick={() => setNoting(false)}>
              {t("common.cancel")}
            </button>
          </form>
        )}
      </div>
      {item.kind === "manual" && !noting && !item.done && (
        <button type="button" className="ghost" onClick={() => setNoting(true)} data-testid="checklist-sign-off">
          {t("checklist.signOff")}
        </button>
      )}
      {item.kind === "manual" && item.done && (
        <button type="button" className="ghost" disabled={pending} onClick={() => onMark({ done: false, note: null })}>
          {t("checklist.reopen")}
        </button>
      )}
    </li>
  );
}
