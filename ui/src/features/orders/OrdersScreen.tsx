// Orders: the filter bar, saved views, the virtualized table and the "needs attention" queue.
// The table is pinned while the operator holds it (useHeldList): new orders wait behind a bar.
import { useCallback, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import type { VisibilityState } from "@tanstack/react-table";
import { useMarkReady } from "../../app/ready";
import { Empty, ErrorState, Loading } from "../../components/States";
import { formatCount } from "../../lib/time";
import { useDebounced } from "../../lib/useDebounced";
import { readStored, useStoredState } from "../../lib/useStoredState";
import { AttentionQueue, useAttention } from "./AttentionQueue";
import { ColumnChooser } from "./ColumnChooser";
import { DEFAULT_HIDDEN } from "./columns";
import { EMPTY_INPUTS, fromFilter, isFiltered, toFilter, type FilterInputs, type OrdersFilter } from "./filters";
import { OrderFilters } from "./OrderFilters";
import { MAX_ROWS, OrdersTable } from "./OrdersTable";
import { SavedViews } from "./SavedViews";
import { SelectionBar } from "./SelectionBar";
import type { OrderRow } from "../../ipc";
import { useHeldList } from "./useHeldList";
import { useOrderPages } from "./useOrderPages";
import { FilterPanel } from "./FilterPanel";

const TYPING_PAUSE_MS = 150;
const FILTERS_KEY = "mizan.orders.filters";

/** The filter the list opens with: the one last used in this session, else none. */
export function openingFilter(): OrdersFilter {
  return toFilter(readStored(FILTERS_KEY, EMPTY_INPUTS, sessionStorage));
}

export function OrdersScreen() {
  const { t, i18n } = useTranslation();
  const [tab, setTab] = useStoredState<"all" | "attention">("mizan.orders.tab", "all", sessionStorage);
  const [inputs, setInputs] = useStoredState<FilterInputs>(FILTERS_KEY, EMPTY_INPUTS, sessionStorage);
  const [columns, setColumns] = useStoredState<VisibilityState>("mizan.orders.columns", DEFAULT_HIDDEN, localStorage);
  const typed = { reference: inputs.reference, text: inputs.text, amountMin: inputs.amountMin, amountMax: inputs.amountMax };
  const [settled, flush] = useDebounced(typed, TYPING_PAUSE_MS);
  const filter = useMemo(() => toFilter({ ...inputs, ...settled }), [inputs, settled]);
  const filterKey = JSON.stringify(filter);

  const [range, setRange] = useState<[number, number]>([0, -1]);
  const onRange = useCallback((a: number, b: number) => setRange((r) => (r[0] === a && r[1] === b ? r : [a, b])), []);
  const [looking, setHeld] = useState(false);
  // Ticked orders, by id: the list holds still while any is ticked.
  const [selected, setSelected] = useState<ReadonlyMap<string, OrderRow>>(new Map());
  const held = looking || selected.size > 0;
  const toggle = useCallback((row: OrderRow, on: boolean) => {
    setSelected((m) => {
      const next = new Map(m);
      if (on) next.set(row.order_id, row);
      else next.delete(row.order_id);
      return next;
    });
  }, []);
  const [top, setTop] = useState(0);
  const list = useHeldList(filter, held);
  const pages = useOrderPages(list.effective, range[0], range[1], filterKey);
  const selectedIds = useMemo(() => new Set(selected.keys()), [selected]);
  const showNew = () => {
    list.show();
    setTop((n) => n + 1);
  };
  const attention = useAttention();
  useMarkReady(!pages.firstPage.isPending);

  const total = pages.total;
  return (
    <section className="screen orders-screen" aria-labelledby="orders-title">
      <header className="screen-header">
        <h1 id="orders-title">{t("orders.title")}</h1>
        <div className="tabs" role="tablist">
          <button type="button" role="tab" aria-selected={tab === "all"} onClick={() => setTab("all")} data-testid="orders-tab-all">
            {t("orders.tabAll")}
          </button>
          <button type="button" role="tab" aria-selected={tab === "attention"} onClick={() => setTab("attention")} data-testid="orders-tab-attention">
            {t("orders.tabAttention")}
            {attention.data && attention.data.length > 0 && <span className="count-pill">{attention.data.length}</span>}
          </button>
        </div>
        {tab === "all" && (
          <span className="orders-total" data-testid="orders-total" data-total={total ?? ""} aria-live="polite">
            {total === null
              ? t("common.loading")
              : t(pages.capped ? "orders.totalCapped" : total === 1 ? "orders.totalOne" : "orders.total", { n: formatCount(total, i18n.language) })}
          </span>
        )}
      </header>
      {tab === "attention" ? (
        <AttentionQueue />
      ) : (
        <>
          <FilterPanel active={isFiltered(inputs)}>
            <OrderFilters
              inputs={inputs}
              onChange={setInputs}
              onCommit={flush}
            />
          </FilterPanel>
          <div className="toolbar">
            <SavedViews current={filter} onApply={(v) => setInputs(fromFilter(v.query))} />
            <ColumnChooser visibility={columns} onChange={setColumns} />
            <SelectionBar selected={selected} onClear={() => setSelected(new Map())} />
          </div>
          {total !== null && total > MAX_ROWS && (
            <p className="notice" role="note">
              {t("orders.tooMany", { n: formatCount(MAX_ROWS, i18n.language) })}
            </p>
          )}
          {pages.errorPage ? (
            <ErrorState error={pages.errorPage} onRetry={pages.refetch} />
          ) : pages.firstPage.isPending && total === null ? (
            <Loading label={t("orders.loading")} />
          ) : total === 0 ? (
            isFiltered(inputs) ? (
              <Empty
                title={t("orders.emptyFilteredTitle")}
                hint={t("orders.emptyFilteredHint")}
                action={
                  <button type="button" onClick={() => setInputs(EMPTY_INPUTS)}>
                    {t("orders.filter.clear")}
                  </button>
                }
              />
            ) : (
              <Empty title={t("orders.emptyTitle")} hint={t("orders.emptyHint")} />
            )
          ) : (
            // The bar floats over the table's top edge: showing it moves no row.
            <div className="orders-table-wrap">
              <div className="new-orders-slot" aria-live="polite">
                {list.waiting > 0 && (
                  <button type="button" className="new-orders-bar" data-testid="new-orders" data-count={list.waiting} title={t("orders.heldHint")} onClick={showNew}>
                    {list.waiting === 1 ? t("orders.newOrdersOne") : t("orders.newOrders", { n: formatCount(list.waiting, i18n.language) })}
                  </button>
                )}
              </div>
              <OrdersTable pages={pages} filterKey={filterKey} columnVisibility={columns} onRange={onRange} onHeld={setHeld} topSignal={top} selected={selectedIds} onToggle={toggle} />
            </div>
          )}
        </>
      )}
    </section>
  );
}
