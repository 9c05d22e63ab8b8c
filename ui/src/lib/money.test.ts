import { describe, expect, it } from "vitest";
import { compareAmounts, exceedsPrecision, fraction, groupThousands, isAmountInput, maxAmount, normalizeAmountInput, toScaled } from "./money";

describe("money strings", () => {
  it("groups thousands without touching a single digit", () => {
    expect(groupThousands("460.00")).toBe("460.00");
    expect(groupThousands("1234567.50")).toBe("1,234,567.50");
    expect(groupThousands("12.500")).toBe("12.500");
    // 2^53 + 1 and beyond: a float would print 9007199254740992.
    expect(groupThousands("9007199254740993.125")).toBe("9,007,199,254,740,993.125");
    expect(groupThousands("-1250.000")).toBe("-1,250.000");
    expect(groupThousands("not a number")).toBe("not a number");
  });

  it("compares exactly where floats cannot", () => {
    expect(compareAmounts("9007199254740993.00", "9007199254740992.99")).toBe(1);
    expect(compareAmounts("0.30", "0.3")).toBe(0);
    expect(compareAmounts("10.005", "10.01")).toBe(-1);
    expect(maxAmount(["1.5", "10.25", "9.999"])).toBe("10.25");
  });

  it("scales to minor units and refuses extra precision", () => {
    expect(toScaled("12.5", 3)).toBe(12500n);
    expect(toScaled("-0.01", 2)).toBe(-1n);
    expect(() => toScaled("10.005", 2)).toThrow(/decimal places/);
    expect(() => toScaled("1e3", 2)).toThrow(/not a decimal/);
    expect(exceedsPrecision("10.005", "SAR")).toBe(true);
    expect(exceedsPrecision("10.005", "KWD")).toBe(false);
  });

  it("turns Arabic digits and separators into a plain decimal", () => {
    expect(normalizeAmountInput(" ١٬٢٣٤٫٥٠ ")).toBe("1234.50");
    expect(normalizeAmountInput("۱۰۰")).toBe("100");
    expect(normalizeAmountInput("1,000.5")).toBe("1000.5");
    expect(isAmountInput("100.")).toBe(false);
    expect(isAmountInput("-5")).toBe(false);
    expect(isAmountInput("100.25")).toBe(true);
  });

  it("gives drawing fractions from exact ratios", () => {
    expect(fraction("50.00", "200.00")).toBe(0.25);
    expect(fraction("0", "200")).toBe(0);
    expect(fraction("300", "200")).toBe(1);
    expect(fraction("1", "0")).toBe(0);
  });
});
