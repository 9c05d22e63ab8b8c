// One timeline for the order: API calls, webhook deliveries, status changes, money moves,
// dispute events and audit lines, newest first, each raw payload one click away.
import { useState } from "react";
import { useTranslation } from "react-i18next";
import type { TimelineEntry, TimelineKind } from "../../ipc";
import { JsonViewer } from "../../components/JsonViewer";
import { formatDateTime } from "../../lib/time";

const KINDS: TimelineKind[] = ["api_call", "webhook", "status", "move", "audit", "dispute"];

export function Timeline({ entries }: { entries: TimelineEntry[] }) {
  const { t, i18n } = useTranslation();
  const [kind, setKind] = useState<TimelineKind | "">("");
  const [open, setOpen] = useState<number | null>(null);
  const shown = entries
    .map((e, i) => ({ e, i }))
    .filter(({ e }) => !kind || e.kind === kind)
    .sort((a, b) => b.e.at.localeCompare(a.e.at) || b.i - a.i);
  return (
    <div className="timeline-wrap">
      <div className="chips" role="radiogroup" aria-label={t("timeline.filter")}>
        {(["", ...KINDS] as const).map((k) => (
          <button key={k || "all"} type="button" role="radio" aria-checked={kind === k} className="chip" onClick={() => setKind(k)}>
            <bdi>{k ? t(`timeline.kind.${k}`) : t("timeline.all")}</bdi>
            <span className="count">{k ? entries.filter((e) => e.kind === k).length : entries.length}</span>
          </button>
        ))}
      </div>
      {shown.length === 0 ? (
        <p className="muted">{t("timeline.empty")}</p>
      ) : (
        <ol className="timeline" data-testid="timeline">
          {shown.map(({ e, i }) => (
            <li key={i} className={`timeline-entry kind-${e.kind}`} data-testid="timeline-entry" data-kind={e.kind}>
              <span className="dot" aria-hidden="true" />
              <div className="timeline-body">
                <div className="timeline-head">
                  <span className="badge tone-neutral">{t(`timeline.kind.${e.kind}`)}</span>
                  <strong dir="auto">{e.title}</strong>
                  <time dateTime={e.at} className="muted">
                    {formatDateTime(e.at, i18n.language)}
                  </time>
                </div>
                {e.detail && <p className="timeline-detail" dir="auto">
                    {e.detail}
                  </p>}
                {e.payload && (
                  <>
                    <button type="button" className="link" aria-expanded={open === i} onClick={() => setOpen(open === i ? null : i)}>
                      {open === i ? t("timeline.hidePayload") : t("timeline.showPayload")}
                    </button>
                    {open === i && <JsonViewer text={e.payload} />}
                  </>
                )}
              </div>
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}
