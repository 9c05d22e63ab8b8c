import { describe, expect, it } from "vitest";
import { dayIn, defaultExportZone, formatFullDay, formatMonth, isIsoDay, monthIn, quickRange, shiftMonth } from "./time";

describe("dates", () => {
  // Sunday 12 July 2026, 22:30 UTC: already Monday 13 July in Riyadh (UTC+3).
  const now = new Date("2026-07-12T22:30:00Z");

  it("finds the day in the chosen zone", () => {
    expect(dayIn("UTC", now)).toBe("2026-07-12");
    expect(dayIn("Asia/Riyadh", now)).toBe("2026-07-13");
  });

  it("computes quick ranges in the zone, weeks from Sunday", () => {
    expect(quickRange("today", "Asia/Riyadh", now)).toEqual({ from: "2026-07-13", to: "2026-07-13" });
    expect(quickRange("yesterday", "Asia/Riyadh", now)).toEqual({ from: "2026-07-12", to: "2026-07-12" });
    expect(quickRange("thisWeek", "Asia/Riyadh", now)).toEqual({ from: "2026-07-12", to: "2026-07-13" });
    expect(quickRange("lastWeek", "Asia/Riyadh", now)).toEqual({ from: "2026-07-05", to: "2026-07-11" });
    expect(quickRange("thisMonth", "UTC", now)).toEqual({ from: "2026-07-01", to: "2026-07-12" });
  });

  it("shows days unambiguously in both languages", () => {
    expect(formatFullDay("2026-07-12", "en")).toBe("12 Jul 2026");
    const ar = formatFullDay("2026-07-12", "ar");
    expect(ar).toContain("12");
    expect(ar).toContain("2026");
    expect(ar).toMatch(/[\u0600-\u06FF]/);
    expect(ar).not.toMatch(/[A-Za-z]/);
  });

  it("defaults exports to the machine's zone, or Riyadh on a UTC machine", () => {
    expect(defaultExportZone("UTC")).toBe("Asia/Riyadh");
    expect(defaultExportZone("Etc/UTC")).toBe("Asia/Riyadh");
    expect(defaultExportZone("Asia/Dubai")).toBe("Asia/Dubai");
  });

  it("accepts only real ISO days", () => {
    expect(isIsoDay("2026-07-12")).toBe(true);
    expect(isIsoDay("2026/07/12")).toBe(false);
    expect(isIsoDay("2026-02-30")).toBe(false);
  });
});

describe("date and time", () => {
  it("spells the month out in both languages", async () => {
    const { formatDateTime } = await import("./time");
    expect(formatDateTime("2026-07-12T09:05:00Z", "en")).toMatch(/\b\d{1,2} Jul 2026\b/);
    const ar = formatDateTime("2026-07-12T09:05:00Z", "ar");
    expect(ar).not.toMatch(/\d{4}\/\d{2}\/\d{2}|\d{1,2}\/\d{1,2}\/\d{4}/);
    expect(ar).toMatch(/[\u0600-\u06FF]/);
  });
});

describe("months", () => {
  it("steps across years both ways", () => {
    expect(shiftMonth("2026-12", 1)).toBe("2027-01");
    expect(shiftMonth("2027-01", -1)).toBe("2026-12");
    expect(shiftMonth("2026-03", -15)).toBe("2024-12");
    expect(shiftMonth("2026-05", 0)).toBe("2026-05");
  });

  it("names the month in the UI language with Latin digits", () => {
    expect(formatMonth("2026-12", "en")).toBe("December 2026");
    expect(formatMonth("2026-12", "ar")).toMatch(/^ديسمبر 2026$/);
    expect(formatMonth("2026-13", "en")).toBe("2026-13");
  });

  it("takes the month from the zone's calendar", () => {
    // 31 Dec 22:30 UTC is already January in Riyadh (UTC+3).
    expect(monthIn("Asia/Riyadh", new Date("2026-12-31T22:30:00Z"))).toBe("2027-01");
    expect(monthIn("UTC", new Date("2026-12-31T22:30:00Z"))).toBe("2026-12");
  });
});
