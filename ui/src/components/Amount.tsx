// An amount exactly as the shell sent it (the currency's precision), with thousands separators
// inserted into the string. Always left-to-right, also inside Arabic text.
import { groupThousands } from "../lib/money";

export function Amount({ value, currency, testId }: { value: string; currency?: string; testId?: string }) {
  return (
    <bdi dir="ltr" className="amount" data-testid={testId} data-amount={value}>
      {groupThousands(value)}
      {currency && <span className="currency"> {currency}</span>}
    </bdi>
  );
}
