// Exact decimal amounts for the tests: what the app shows ("1,234.50 SAR", "SAR 12.500") is
// read back into minor units (BigInt) with its precision, and amounts typed into the app are
// written at that precision. Never floats: a test about money must not round.

/** Reads the first amount in `text` (Western or Arabic-Indic digits, thousands separators
 *  allowed) as { minor: BigInt, dp: number }. Throws when there is none. */
export function parseAmount(text) {
  const western = String(text)
    .replace(/[\u0660-\u0669]/g, (d) => String(d.charCodeAt(0) - 0x0660))
    .replace(/\u066B/g, '.') // Arabic decimal separator
    .replace(/[\u066C,\u00A0\u202F]/g, ''); // thousands separators
  const m = western.match(/-?\d+(?:\.(\d+))?/);
  if (!m) throw new Error(`no amount in ${JSON.stringify(text)}`);
  const dp = m[1] ? m[1].length : 0;
  return { minor: BigInt(m[0].replace('.', '')), dp };
}

/** Writes minor units at `dp` decimal places: (46000n, 2) → "460.00". */
export function formatAmount(minor, dp) {
  const neg = minor < 0n;
  const digits = (neg ? -minor : minor).toString().padStart(dp + 1, '0');
  const text = dp === 0 ? digits : `${digits.slice(0, -dp)}.${digits.slice(-dp)}`;
  return neg ? `-${text}` : text;
}
