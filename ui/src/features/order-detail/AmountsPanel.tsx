import { useTranslation } from "react-i18next";
import type { Amounts } from "../../ipc";
import { Amount } from "../../components/Amount";

const MOVED = ["authorised", "captured", "refunded", "canceled"] as const;
const LEFT = ["capturable", "refundable", "cancelable"] as const;

/** What has moved and what is left to move, each at the currency's precision. */
export function AmountsPanel({ amounts, currency }: { amounts: Amounts; currency: string }) {
  const { t } = useTranslation();
  return (
    <div className="amounts">
      <dl className="amounts-moved">
        {MOVED.map((k) => (
          <div key={k} className="amount-cell">
            <dt>{t(`amounts.${k}`)}</dt>
            <dd>
              <Amount value={amounts[k]} currency={currency} testId={`amount-${k}`} />
            </dd>
          </div>
        ))}
      </dl>
      <dl className="amounts-left">
        {LEFT.map((k) => (
          <div key={k} className="amount-cell">
            <dt>{t(`amounts.${k}`)}</dt>
            <dd>
              <Amount value={amounts[k]} currency={currency} testId={`amount-${k}`} />
            </dd>
          </div>
        ))}
      </dl>
    </div>
  );
}
