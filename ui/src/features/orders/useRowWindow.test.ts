import { describe, expect, it } from "vitest";
import { rowWindow } from "./useRowWindow";

describe("rowWindow", () => {
  it("covers the viewport plus the overscan on both sides", () => {
    // 600 px at 30 px a row: rows 0..19 in view, 8 more below.
    expect(rowWindow(1_000_000, 30, 8, 0, 600)).toEqual({ first: 0, last: 27 });
    // Scrolled half a row: row 20 peeks in at the bottom.
    expect(rowWindow(1_000_000, 30, 8, 15, 600)).toEqual({ first: 0, last: 28 });
    expect(rowWindow(1_000_000, 30, 8, 500_000 * 30, 600)).toEqual({ first: 499_992, last: 500_027 });
  });

  it("stays inside the rows there are", () => {
    expect(rowWindow(0, 30, 8, 0, 600)).toEqual({ first: 0, last: -1 });
    expect(rowWindow(5, 30, 8, 0, 600)).toEqual({ first: 0, last: 4 });
    // A position left over from a longer list (the browser clamps it a moment later).
    expect(rowWindow(10, 30, 8, 900_000, 600)).toEqual({ first: 9, last: 9 });
    expect(rowWindow(10, 30, 8, -40, 600)).toEqual({ first: 0, last: 9 });
  });
});
