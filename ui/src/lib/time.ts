// Times arrive as RFC 3339 UTC strings and are shown in the operator's zone; counts and dates use
// Latin digits in both languages (amounts are Latin-digit strings too, so a row reads as one).

export function intlLocale(lang: string): string {
  return lang === "ar" ? "ar-u-nu-latn" : "en-GB";
}

// Building an Intl formatter costs far more than using one (in WebKit, about a millisecond: a
// list of 40 rows spent most of its render building date formatters), so each is built once
// per language and kept.
const formatters = new Map<string, Intl.DateTimeFormat | Intl.NumberFormat>();

function cached<F extends Intl.DateTimeFormat | Intl.NumberFormat>(key: string, build: () => F): F {
  let f = formatters.get(key) as F | undefined;
  if (!f) {
    f = build();
    formatters.set(key, f);
  }
  return f;
}

export function formatDateTime(iso: string | null | undefined, lang: string): string {
  if (!iso) return "—";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  // Day, month name and year spelled out (`12 Jul 2026, 14:05`; Arabic month names), never a
  // numeric date that reads differently in each country.
  return cached(`dt:${lang}`, () => new Intl.DateTimeFormat(intlLocale(lang), { day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit" })).format(d);
}

export function formatDay(day: string, lang: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  if (Number.isNaN(d.getTime())) return day;
  return cached(`day:${lang}`, () => new Intl.DateTimeFormat(intlLocale(lang), { month: "short", day: "numeric", timeZone: "UTC" })).format(d);
}

export function formatCount(n: number, lang: string): string {
  return cached(`n:${lang}`, () => new Intl.NumberFormat(intlLocale(lang))).format(n);
}

/** Time left until `deadline` in whole minutes (negative once passed). */
export function minutesLeft(deadline: string, now: number): number {
  return Math.floor((new Date(deadline).getTime() - now) / 60000);
}

/** A local calendar day (`2024-05-01`) → the RFC 3339 UTC instant it starts at. */
export function dayStartUtc(day: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return null;
  const d = new Date(`${day}T00:00:00`);
  if (Number.isNaN(d.getTime())) return null;
  return d.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** A local calendar day → the instant the next day starts (an exclusive upper bound). */
export function dayEndUtc(day: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return null;
  const d = new Date(`${day}T00:00:00`);
  if (Number.isNaN(d.getTime())) return null;
  d.setDate(d.getDate() + 1);
  return d.toISOString().replace(/\.\d{3}Z$/, "Z");
}

export function localTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  } catch {
    return "UTC";
  }
}

/** The default zone for exports: the machine's, unless it is UTC (servers, fresh VMs), then
 *  Asia/Riyadh, where Tamara's merchants mostly close their books (docs/DOMAIN.md, Exports). */
export function defaultExportZone(machine: string = localTimeZone()): string {
  return machine === "UTC" || machine.startsWith("Etc/") ? "Asia/Riyadh" : machine;
}

/** The calendar day (`2026-07-12`) that the instant `now` falls on in `zone`. */
export function dayIn(zone: string, now: Date): string {
  const f = cached(`iso:${zone}`, () => new Intl.DateTimeFormat("en-CA", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit" }));
  return f.format(now);
}

function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

export const QUICK_RANGES = ["today", "yesterday", "thisWeek", "lastWeek", "thisMonth"] as const;
export type QuickRange = (typeof QUICK_RANGES)[number];

/** A quick range as whole days (`to` inclusive) in `zone`. Weeks start on Sunday, as the
 *  Saudi working week does. */
export function quickRange(range: QuickRange, zone: string, now: Date): { from: string; to: string } {
  const today = dayIn(zone, now);
  const weekday = new Date(`${today}T00:00:00Z`).getUTCDay(); // 0 = Sunday
  const weekStart = addDays(today, -weekday);
  switch (range) {
    case "today":
      return { from: today, to: today };
    case "yesterday":
      return { from: addDays(today, -1), to: addDays(today, -1) };
    case "thisWeek":
      return { from: weekStart, to: today };
    case "lastWeek":
      return { from: addDays(weekStart, -7), to: addDays(weekStart, -1) };
    case "thisMonth":
      return { from: `${today.slice(0, 8)}01`, to: today };
  }
}

/** A calendar day shown without ambiguity: `12 Jul 2026` (Arabic month names in Arabic). */
export function formatFullDay(day: string, lang: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return day;
  const d = new Date(`${day}T00:00:00Z`);
  if (Number.isNaN(d.getTime())) return day;
  return cached(`fday:${lang}`, () => new Intl.DateTimeFormat(intlLocale(lang), { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" })).format(d);
}

/** Whether `text` is an ISO calendar day that exists (`2026-02-30` is not). */
export function isIsoDay(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const d = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === text;
}

/** `2026-12` → `December 2026` (Arabic month names in Arabic, Latin digits); anything else as given. */
export function formatMonth(month: string, lang: string): string {
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) return month;
  const d = new Date(`${month}-01T00:00:00Z`);
  return cached(`month:${lang}`, () => new Intl.DateTimeFormat(intlLocale(lang), { month: "long", year: "numeric", timeZone: "UTC" })).format(d);
}

/** The month `n` months after `month` (`2026-12`, 1 → `2027-01`; negative goes back). */
export function shiftMonth(month: string, n: number): string {
  const [y, m] = month.split("-").map(Number) as [number, number];
  const total = y * 12 + (m - 1) + n;
  return `${String(Math.floor(total / 12)).padStart(4, "0")}-${String((total % 12) + 1).padStart(2, "0")}`;
}

/** The month (`2026-12`) that the instant `now` falls in, in `zone`. */
export function monthIn(zone: string, now: Date): string {
  return dayIn(zone, now).slice(0, 7);
}
