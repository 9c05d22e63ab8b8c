import { describe, expect, it } from "vitest";
import { guiMessage } from "./guiMessage";

describe("guiMessage", () => {
  it("drops CLI flags and commands from the core's messages", () => {
    expect(guiMessage("a refund needs a comment (--comment TEXT)")).toBe("a refund needs a comment");
    expect(guiMessage("order o-1 is not in the local cache of sandbox; run `mizan orders fetch o-1`")).toBe("order o-1 is not in the local cache of sandbox");
    expect(guiMessage("no API token for production: run `mizan credentials set --env production` or set MIZAN_PRODUCTION_API_TOKEN")).toBe("no API token for production");
    expect(guiMessage("--from 2026-07-12 is not before --to 2026-07-01: the window is empty")).toBe("");
  });

  it("keeps messages that name no flag", () => {
    expect(guiMessage("refund of 10.01 SAR exceeds the refundable 10.00 SAR")).toBe("refund of 10.01 SAR exceeds the refundable 10.00 SAR");
  });
});
