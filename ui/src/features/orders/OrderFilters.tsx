// The filter bar. Selects and dates apply at once; typed fields apply after a short pause or on
// Enter (the parent debounces them).
import { useTranslation } from "react-i18next";
import { CURRENCIES } from "../../lib/money";
import { badAmountBound, isFiltered, EMPTY_INPUTS, type FilterInputs } from "./filters";
import { StatusFilter } from "./StatusFilter";
import { DayInput } from "../../components/DayInput";

type Props = {
  inputs: FilterInputs;
  onChange: (next: FilterInputs) => void;
  onCommit: () => void;
};

export function OrderFilters({ inputs, onChange, onCommit }: Props) {
  const { t } = useTranslation();
  const set = (patch: Partial<FilterInputs>) => onChange({ ...inputs, ...patch });
  const onEnter = (e: React.KeyboardEvent) => {
    if (e.key === "Enter") onCommit();
  };
  return (
    <form className="filters" role="search" onSubmit={(e) => (e.preventDefault(), onCommit())}>
      <StatusFilter value={inputs.statuses} onChange={(statuses) => set({ statuses })} />
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
      <label className="check">
        <input type="checkbox" data-testid="filter-rehearsals" checked={Boolean(inputs.rehearsals)} onChange={(e) => set({ rehearsals: e.target.checked })} />
        {t("orders.filter.rehearsal")}
      </label>
      <button type="button" className="ghost" disabled={!isFiltered(inputs)} onClick={() => onChange(EMPTY_INPUTS)} data-testid="filter-clear">
        {t("orders.filter.clear")}
      </button>
    </form>
  );
}
