import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { afterEach, describe, expect, it } from "vitest";
import i18n from "../i18n";
import { DayInput } from "./DayInput";

describe("day input", () => {
  afterEach(() => void i18n.changeLanguage("en"));

  it("holds ISO text and spells the day out beside it, in Arabic too", async () => {
    await i18n.changeLanguage("ar");
    render(<DayInput testId="d" value="2026-07-12" onChange={() => undefined} />);
    const input = screen.getByTestId("d");
    expect(input).toHaveValue("2026-07-12");
    expect(input).not.toHaveAttribute("type", "date");
    expect(screen.getByTestId("d-shown").textContent).toMatch(/[\u0600-\u06FF]/);
    expect(input).not.toHaveAttribute("aria-invalid");
  });

  it("marks a day that is not ISO", () => {
    render(<DayInput testId="d" value="2026/07/12" onChange={() => undefined} />);
    expect(screen.getByTestId("d")).toHaveAttribute("aria-invalid", "true");
    expect(screen.getByTestId("d-shown")).toHaveTextContent("");
  });

  it("writes the ISO day picked on the calendar, and gives the focus back", async () => {
    const user = userEvent.setup({ delay: null });
    const picked: string[] = [];
    function Field() {
      const [v, setV] = useState("2026-07-12");
      return <DayInput testId="d" value={v} onChange={(x) => (picked.push(x), setV(x))} />;
    }
    render(<Field />);
    await user.click(screen.getByTestId("d-calendar-button"));
    const calendar = screen.getByTestId("d-calendar");
    await user.click(await within(calendar).findByText("15"));
    expect(calendar).toHaveTextContent("July 2026");
    expect(picked).toEqual(["2026-07-15"]);
    expect(screen.getByTestId("d")).toHaveValue("2026-07-15");
    expect(screen.queryByTestId("d-calendar")).toBeNull();
    await waitFor(() => expect(screen.getByTestId("d-calendar-button")).toHaveFocus());
  });

  it("shows Arabic month names right to left, and closes on Escape", async () => {
    const user = userEvent.setup({ delay: null });
    await i18n.changeLanguage("ar");
    render(<DayInput testId="d" value="2026-07-12" onChange={() => undefined} />);
    await user.click(screen.getByTestId("d-calendar-button"));
    const calendar = screen.getByTestId("d-calendar");
    await within(calendar).findByText("15");
    expect(calendar).toHaveTextContent("يوليو");
    expect(calendar.querySelector("[dir=rtl]")).not.toBeNull();
    // Weeks start on Saturday in Arabic.
    expect(calendar.querySelector(".rdp-weekday")?.getAttribute("aria-label")).toBe("السبت");
    await user.keyboard("{Escape}");
    expect(screen.queryByTestId("d-calendar")).toBeNull();
    await waitFor(() => expect(screen.getByTestId("d-calendar-button")).toHaveFocus());
  });
});
