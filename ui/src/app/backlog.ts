// The webhook backlog in words, for the health pill and the dashboard: how long the oldest
// delivery has waited and when, at the recent pace, the backlog will have drained — so a
// screen showing a backlog never passes for the present.
import type { TFunction } from "i18next";
import type { HealthChanged } from "../ipc";
import { formatDuration } from "../lib/duration";

/** "oldest 3 min · drains in about 2 min", or "" with nothing waiting. */
export function backlogDetail(h: Pick<HealthChanged, "backlog" | "backlog_oldest_secs" | "backlog_drain_secs">, t: TFunction, lang: string): string {
  if (h.backlog === 0 || h.backlog_oldest_secs === null) return "";
  const age = t("health.oldest", { age: formatDuration(h.backlog_oldest_secs / 60, t, lang) });
  const drain =
    h.backlog_drain_secs === null ? t("health.notDraining") : t("health.drains", { in: formatDuration(Math.ceil(h.backlog_drain_secs / 60), t, lang) });
  return `${age} · ${drain}`;
}
