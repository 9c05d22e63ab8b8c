import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it } from "vitest";
import { FilterPanel } from "./FilterPanel";

const setHeight = (h: number) => Object.defineProperty(window, "innerHeight", { configurable: true, value: h });

describe("filter panel", () => {
  afterEach(() => {
    sessionStorage.clear();
    setHeight(768);
  });

  it("folds the filters in a short window and unfolds them on demand", async () => {
    const user = userEvent.setup({ delay: null });
    setHeight(600);
    render(<FilterPanel active={false}><input data-testid="f" /></FilterPanel>);
    expect(screen.getByTestId("f")).not.toBeVisible();
    await user.click(screen.getByTestId("filters-toggle"));
    expect(screen.getByTestId("f")).toBeVisible();
  });

  it("skips from the filters to the table's first row in one step", async () => {
    const user = userEvent.setup({ delay: null });
    render(
      <>
        <FilterPanel active={false}>
          <input data-testid="f" />
        </FilterPanel>
        <div data-testid="orders-table" tabIndex={-1}>
          <div data-testid="order-row" tabIndex={0} />
        </div>
      </>,
    );
    await user.tab();
    expect(screen.getByTestId("skip-to-table")).toHaveFocus();
    await user.keyboard("{Enter}");
    expect(screen.getByTestId("order-row")).toHaveFocus();
  });
});
