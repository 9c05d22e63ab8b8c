import { describe, expect, it } from "vitest";
import type { SelfTestReport } from "../../ipc";
import { headline } from "./SelfTest";

const findings = [
  { code: "reachable", ok: true, detail: "answered HTTP 200" },
  { code: "verified", ok: true, detail: "verified" },
];
const report = (over: Partial<SelfTestReport>): SelfTestReport => ({ ok: true, reachable_by_tamara: true, url: "https://x/w", findings, hints: [], ...over });

describe("self-test headline", () => {
  it("says end to end only when Tamara can reach the address too", () => {
    expect(headline(report({}))).toBe("ok");
    expect(headline(report({ url: "http://127.0.0.1:8787/w", reachable_by_tamara: false }))).toBe("localOnly");
    expect(headline(report({ ok: false }))).toBe("failed");
    expect(headline(report({ findings: [{ code: "verified", ok: false, detail: "rejected" }] }))).toBe("failed");
  });
});
