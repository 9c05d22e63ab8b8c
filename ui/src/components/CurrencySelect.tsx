// A picker over the currencies Mizan knows (their precision lives in lib/money).
import { CURRENCIES } from "../lib/money";

export function CurrencySelect({ value, onChange, testId }: { value: string; onChange: (currency: string) => void; testId?: string }) {
  return (
    <select value={value} onChange={(e) => onChange(e.target.value)} data-testid={testId}>
      {CURRENCIES.map((c) => (
        <option key={c} value={c}>
          {c}
        </option>
      ))}
    </select>
  );
}
