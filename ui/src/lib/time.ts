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
  return cached(`dt:${lang}`, () => new Intl.DateTimeFormat(intlLocale(lang), { dateStyle: "medium", timeStyle: "short" })).format(d);
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
