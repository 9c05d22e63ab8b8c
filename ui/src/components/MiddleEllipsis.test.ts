import { describe, expect, it } from "vitest";
import { middleEllipsis } from "./MiddleEllipsis";

describe("references shortened in the middle", () => {
  it("keeps short ones whole and never makes two long ones look the same", () => {
    expect(middleEllipsis("DEMO-000046")).toBe("DEMO-000046");
    const a = middleEllipsis("REHEARSE-20261207120000-1");
    const b = middleEllipsis("REHEARSE-20261207120000-2");
    expect(a).toContain("…");
    expect(a.endsWith("-1")).toBe(true);
    expect(a).not.toBe(b);
  });
});
