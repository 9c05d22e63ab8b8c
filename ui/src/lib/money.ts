// Amounts stay decimal strings from the shell to the screen: they are shown as given (only
// thousands separators are added, by string surgery), compared and scaled with BigInt, and
// typed input is normalised to a plain decimal string before it is sent. No amount ever goes
// through a JavaScript number, so "12.500" KWD stays "12.500" and 2^53+ stays exact.

export const CURRENCY_PRECISION: Record<string, number> = { SAR: 2, AED: 2, QAR: 2, KWD: 3, BHD: 3, OMR: 3 };
export const CURRENCIES = Object.keys(CURRENCY_PRECISION);

const DECIMAL = /^-?\d+(\.\d+)?$/;

/** Arabic-Indic and Eastern Arabic-Indic digits, the Arabic decimal separator, and stray spaces. */
export function normalizeAmountInput(raw: string): string {
  let out = "";
  for (const ch of raw.trim()) {
    const code = ch.codePointAt(0) ?? 0;
    if (code >= 0x0660 && code <= 0x0669) out += String(code - 0x0660);
    else if (code >= 0x06f0 && code <= 0x06f9) out += String(code - 0x06f0);
    else if (ch === "\u066b") out += ".";
    else if (ch === "\u066c" || ch === "," || ch === " " || ch === "\u00a0") continue;
    else out += ch;
  }
  return out;
}

/** Whether `s` is a plain non-negative decimal (`100`, `100.5`), the shape the shell accepts. */
export function isAmountInput(s: string): boolean {
  return /^\d+(\.\d+)?$/.test(s);
}

export function decimalPlaces(s: string): number {
  const dot = s.indexOf(".");
  return dot < 0 ? 0 : s.length - dot - 1;
}

/** `"12.5"` at scale 3 → `12500n`. Throws on anything that is not a decimal string. */
export function toScaled(s: string, scale: number): bigint {
  if (!DECIMAL.test(s)) throw new Error(`not a decimal amount: ${s}`);
  const negative = s.startsWith("-");
  const body = negative ? s.slice(1) : s;
  const [int = "0", frac = ""] = body.split(".");
  if (frac.length > scale) throw new Error(`more than ${scale} decimal places: ${s}`);
  const value = BigInt(int + frac.padEnd(scale, "0"));
  return negative ? -value : value;
}

/** Compares two decimal strings exactly (-1, 0, 1). */
export function compareAmounts(a: string, b: string): number {
  const scale = Math.max(decimalPlaces(a), decimalPlaces(b));
  const x = toScaled(a, scale);
  const y = toScaled(b, scale);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** The largest of some decimal strings (`"0"` for none). */
export function maxAmount(values: string[]): string {
  return values.reduce((best, v) => (compareAmounts(v, best) > 0 ? v : best), "0");
}

/**
 * `part / whole` as a fraction in [0, 1] for drawing (bar heights): the division is done on
 * scaled integers and only the small quotient becomes a number.
 */
export function fraction(part: string, whole: string): number {
  const scale = Math.max(decimalPlaces(part), decimalPlaces(whole));
  const p = toScaled(part, scale);
  const w = toScaled(whole, scale);
  if (w <= 0n || p <= 0n) return 0;
  if (p >= w) return 1;
  return Number((p * 10000n) / w) / 10000;
}

/** `"1234567.500"` → `"1,234,567.500"`: digits untouched, separators inserted. */
export function groupThousands(s: string): string {
  if (!DECIMAL.test(s)) return s;
  const negative = s.startsWith("-");
  const body = negative ? s.slice(1) : s;
  const dot = body.indexOf(".");
  const int = dot < 0 ? body : body.slice(0, dot);
  const frac = dot < 0 ? "" : body.slice(dot);
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return (negative ? "-" : "") + grouped + frac;
}

/** Whether `s` has more decimals than the currency allows (the shell would refuse it). */
export function exceedsPrecision(s: string, currency: string): boolean {
  const places = CURRENCY_PRECISION[currency];
  return places !== undefined && decimalPlaces(s) > places;
}
