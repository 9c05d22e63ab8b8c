// One humane duration format for the whole UI: "21 days" from two days up, "5 h 12 min" below,
// "12 min" under an hour. Whole units, rounded down (never promises more time than is left).
import type { TFunction } from "i18next";
import { formatCount } from "./time";

export const DAY_MINUTES = 24 * 60;

/** `minutes` (≥ 0) in words, in the active language. */
export function formatDuration(minutes: number, t: TFunction, lang: string): string {
  const m = Math.max(0, Math.floor(minutes));
  const n = (x: number) => formatCount(x, lang);
  if (m >= 2 * DAY_MINUTES) return t("duration.days", { n: n(Math.floor(m / DAY_MINUTES)) });
  if (m >= 60) return t("duration.hoursMinutes", { h: n(Math.floor(m / 60)), m: n(m % 60) });
  return t("duration.minutes", { m: n(m) });
}
