import i18n from "i18next";
import { describe, expect, it } from "vitest";
import "../i18n";
import { formatDuration } from "./duration";

describe("one humane duration format", () => {
  it("says days from two days up, hours and minutes below, minutes under an hour", async () => {
    await i18n.changeLanguage("en");
    const t = i18n.t.bind(i18n);
    expect(formatDuration(504 * 60, t, "en")).toBe("21 days");
    expect(formatDuration(48 * 60 - 1, t, "en")).toBe("47 h 59 min");
    expect(formatDuration(5 * 60 + 12, t, "en")).toBe("5 h 12 min");
    expect(formatDuration(12, t, "en")).toBe("12 min");
    expect(formatDuration(-3, t, "en")).toBe("0 min");
    await i18n.changeLanguage("ar");
    expect(formatDuration(504 * 60, i18n.t.bind(i18n), "ar")).not.toMatch(/[A-Za-z]/);
    await i18n.changeLanguage("en");
  });
});
