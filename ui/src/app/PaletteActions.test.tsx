import { fireEvent, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { sampleDetail } from "../ipc/mock/fixtures";
import { renderApp, scriptShell } from "../test/harness";
import { ColumnChooser } from "../features/orders/ColumnChooser";

const detail = sampleDetail();

describe("command palette actions", () => {
  it("goes to an order by id or reference and opens its refund", async () => {
    const user = userEvent.setup({ delay: null });
    scriptShell({ order_detail: () => detail, move_preview: () => new Promise(() => undefined), orders_page: () => ({ rows: [], total: 0, offset: 0 }) });
    renderApp("#/orders");
    fireEvent.keyDown(window, { key: "k", ctrlKey: true });
    await user.type(await screen.findByTestId("command-palette").then((p) => p.querySelector("input") as HTMLInputElement), "MZ-100000");
    expect(screen.getByText("Go to order MZ-100000")).toBeInTheDocument();
    await user.keyboard("{Enter}");
    expect(window.location.hash).toBe("#/orders/MZ-100000");
    await screen.findByTestId("order-detail");

    fireEvent.keyDown(window, { key: "k", ctrlKey: true });
    await user.type((await screen.findByTestId("command-palette")).querySelector("input") as HTMLInputElement, "refund this");
    await user.keyboard("{Enter}");
    expect(await screen.findByTestId("move-dialog")).toHaveTextContent("Refund");
  });
});

describe("columns menu", () => {
  it("closes on Escape and gives the focus back to its button", async () => {
    const user = userEvent.setup({ delay: null });
    render(<ColumnChooser visibility={{}} onChange={() => undefined} />);
    await user.click(screen.getByTestId("columns-button"));
    expect(screen.getByTestId("columns-menu")).toBeInTheDocument();
    await user.tab();
    await user.keyboard("{Escape}");
    expect(screen.queryByTestId("columns-menu")).toBeNull();
    expect(screen.getByTestId("columns-button")).toHaveFocus();
  });

  it("moves with the arrow keys and ticks with Space, staying open", async () => {
    const user = userEvent.setup({ delay: null });
    const changes: Record<string, boolean>[] = [];
    render(<ColumnChooser visibility={{}} onChange={(v) => changes.push(v)} />);
    screen.getByTestId("columns-button").focus();
    await user.keyboard("{Enter}");
    const items = screen.getAllByRole("menuitemcheckbox");
    expect(items[0]).toHaveAttribute("aria-checked", "true");
    await user.keyboard("{ArrowDown}");
    const current = document.activeElement as HTMLElement;
    expect(items).toContain(current);
    await user.keyboard(" ");
    expect(changes).toHaveLength(1);
    expect(Object.values(changes[0] ?? {})).toEqual([false]);
    expect(screen.getByTestId("columns-menu")).toBeInTheDocument();
  });
});
