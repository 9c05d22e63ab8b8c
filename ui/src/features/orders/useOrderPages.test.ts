import { describe, expect, it } from "vitest";
import { pagesFor, retainedPages } from "./useOrderPages";

describe("the pages the orders list keeps", () => {
  it("keeps the pages in view first, then the ones seen last, up to the limit", () => {
    expect(retainedPages([], [3], 4)).toEqual([3]);
    expect(retainedPages([3, 2, 1], [7, 8], 2)).toEqual([7, 8, 3, 2]);
    // A page back in view is not kept twice, and the order is most recent first.
    expect(retainedPages([5, 4, 3, 2, 1], [3], 4)).toEqual([3, 5, 4, 2, 1]);
    // Applying it again to its own answer changes nothing (a render may run twice).
    const once = retainedPages([9, 8, 7, 6, 5], [1, 2], 4);
    expect(retainedPages(once, [1, 2], 4)).toEqual(once);
    expect(retainedPages([1, 2, 3], [], 0)).toEqual([]);
  });

  it("maps a row window to its pages", () => {
    expect(pagesFor(0, 99)).toEqual([0]);
    expect(pagesFor(95, 205)).toEqual([0, 1, 2]);
    expect(pagesFor(10, 5)).toEqual([]);
  });
});
