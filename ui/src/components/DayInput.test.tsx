import { render, screen } from "@testing-library/react";
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
});
