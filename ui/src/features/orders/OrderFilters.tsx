// The filter bar. Selects and dates apply at once; typed fields apply after a short pause or on
// Enter (the parent debounces them).
import { useTranslation } from "react-i18next";
import { CURRENCIES } from "../../lib/money";
import { ORDER_STATUSES, badAmountBound, isFiltered, EMPTY_INPUTS, type FilterInputs } from "./filters";
import { DayInput } from "../../components/DayInput";

type Props = {
  inputs: FilterInputs;
  onChange: (next: FilterInputs) => void;
  onCommit: () => void;
};

/** Status choices: each status, plus the combination a saved view may carry. */
function statusOptions(current: string[]): string[] {
  const base = ["", ...ORDER_STATUSES, "approved,authorised"];
  const joined = current.join(",");
  return base.includes(joined) ? base : [...base, joined];
}

export function OrderFilters({ inputs, onChange, onCommit }: Props) {
  const { t, i18n } = useTranslation();
  const set = (patch: Partial<FilterInputs>) => onChange({ ...inputs, ...patch });
  const onEnter = (e: React.KeyboardEvent) => {
    if (e.key === "Enter") onCommit();
  };
  const statusLabel = (v: string) => {
    if (v === "") return t("orders.filter.allStatuses");
    if (v === "approved,authorised") return t("orders.filter.toAct");
    return v
      .split(",")
      .map((s) => (i18n.exists(`status.${s}`) ? t(`status.${s}`) : s))
      .join(" + ");
  };
  return (
    <form className="filters" role="search" onSubmit={(e) => (e.preventDefault(), onCommit())}>
      <label>
        <span>{t("orders.filter.status")}</span>
        <select
          data-testid="filter-status"
          value={inputs.statuses.join(",")}
          onChange={(e) => set({ statuses: e.target.value ? e.target.value.split(",") : [] })}
        >
          {statusOptions(inputs.statuses).map((v) => (
            <option key={v} value={v}>
              {statusLabel(v)}
            </option>
          ))}
        </select>
      </label>
      <label>
        <span>{t("orders.filter.currency")}</span>
        <select data-testid="filter-currency" value={inputs.currency} onChange={(e) => set({ currency: e.target.value })}>
          <option value="">{t("orders.filter.allCurrencies")}</option>
          {CURRENCIES.map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </select>
      </label>
      <label>
        <span>{t("orders.filter.reference")}</span>
        <input
          data-testid="filter-reference"
          value={inputs.reference}
          placeholder={t("orders.filter.referencePlaceholder")}
          onChange={(e) => set({ reference: e.target.value })}
          onKeyDown={onEnter}
        />
      </label>
      <label className="grow">
        <span>{t("orders.filter.text")}</span>
        <input
          type="search"
          id="orders-search"
          data-testid="filter-text"
          value={inputs.text}
          placeholder={t("orders.filter.textPlaceholder")}
          onChange={(e) => set({ text: e.target.value })}
          onKeyDown={onEnter}
        />
      </label>
      <label>
        <span>{t("orders.filter.from")}</span>
        <DayInput testId="filter-from" value={inputs.from} onChange={(from) => set({ from })} />
      </label>
      <label>
        <span>{t("orders.filter.to")}</span>
        <DayInput testId="filter-to" value={inputs.to} onChange={(to) => set({ to })} invalid={!!inputs.from && !!inputs.to && inputs.to < inputs.from} />
      </label>
      <label>
        <span>{t("orders.filter.amountMin")}</span>
        <input
          inputMode="decimal"
          dir="ltr"
          className="amount-input"
          data-testid="filter-amount-min"
          aria-invalid={badAmountBound(inputs.amountMin)}
          value={inputs.amountMin}
          onChange={(e) => set({ amountMin: e.target.value })}
          onKeyDown={onEnter}
        />
      </label>
      <label>
        <span>{t("orders.filter.amountMax")}</span>
        <input
          inputMode="decimal"
          dir="ltr"
          className="amount-input"
          data-testid="filter-amount-max"
          aria-invalid={badAmountBound(inputs.amountMax)}
          value={inputs.amountMax}
          onChange={(e) => set({ amountMax: e.target.value })}
          onKeyDown={onEnter}
        />
      </label>
      {(badAmountBound(inputs.amountMin) || badAmountBound(inputs.amountMax)) && (
        <p className="field-error" role="alert">
          {t("orders.filter.badAmount")}
        </p>
      )}
      <button type="button" className="ghost" disabled={!isFiltered(inputs)} onClick={() => onChange(EMPTY_INPUTS)} data-testid="filter-clear">
        {t("orders.filter.clear")}
      </button>
    </form>
  );
}
