import { render, screen } from "@testing-library/react";
import { I18nextProvider } from "react-i18next";
import { afterEach, describe, expect, it } from "vitest";
import i18n from "../i18n";
import type { Phrase, PhraseCode, TimelineEntry } from "../ipc";
import { Timeline } from "../features/order-detail/Timeline";
import { PhraseText } from "./phrase";

/** Text outside the raw data (ids, amounts, references, the gateway's words). */
function proseOf(el: HTMLElement): string {
  const copy = el.cloneNode(true) as HTMLElement;
  copy.querySelectorAll("[data-raw]").forEach((n) => n.remove());
  return copy.textContent ?? "";
}

const every: Phrase[] = (
  [
    ["order_created", { reference: "MZ-1", total: "460.00 SAR" }],
    ["order_read", { status: "authorised" }],
    ["webhook_received", { event: "order_approved", verdict: "verified" }],
    ["webhook_received", { verdict: "rejected" }],
    ["webhook_handled", { processing: "failed", http: "500" }],
    ["move_recorded", { move_kind: "refund", amount: "10.00 SAR", move_state: "unknown" }],
    ["moved_by", { actor: "Noura", source: "api" }],
    ["comment", { comment: "damaged" }],
    ["tamara_id", { id: "c-1" }],
    ["reason", { reason: "gateway_timeout" }],
    ["status_changed", { from: "approved", to: "authorised" }],
    ["status_changed", { to: "approved" }],
    ["audit_action", { action: "order.refresh" }],
    ["audit_result", { result: "ok", operator: "e2e" }],
    ["authorise_before_expiry", {}],
    ["capture_before_auto_capture", {}],
    ["delivery_unprocessed", { delivery: "7", event: "order_captured", reason: "read failed" }],
    ["delivery_unprocessed", { delivery: "7", reason: "read failed" }],
    ["move_unsettled", { move_kind: "capture", amount: "1.00 SAR", move_state: "pending" }],
    ["reconcile_failed", { at: "2026-07-12T09:00:00Z", reason: "timeout" }],
  ] as [PhraseCode, Record<string, string>][]
).map(([code, params]) => ({ code, params }));

describe("phrases", () => {
  afterEach(() => void i18n.changeLanguage("en"));

  it("says every code in Arabic with no Latin word outside the data", async () => {
    await i18n.changeLanguage("ar");
    for (const p of every) {
      const { container, unmount } = render(
        <I18nextProvider i18n={i18n}>
          <p>
            <PhraseText phrases={p} />
          </p>
        </I18nextProvider>,
      );
      const prose = proseOf(container);
      expect(prose, `${p.code}: ${prose}`).not.toMatch(/[A-Za-z]{2,}/);
      expect(prose, p.code).toMatch(/[\u0600-\u06FF]/);
      unmount();
    }
  });

  it("keeps the English sentences with their data", async () => {
    await i18n.changeLanguage("en");
    render(
      <I18nextProvider i18n={i18n}>
        <p data-testid="p">
          <PhraseText phrases={[every[5] as Phrase, every[6] as Phrase]} />
        </p>
      </I18nextProvider>,
    );
    expect(screen.getByTestId("p")).toHaveTextContent("Refund of 10.00 SAR: outcome unknown; by Noura (our request)");
  });

  it("renders an Arabic timeline whose titles and details carry no English prose", async () => {
    await i18n.changeLanguage("ar");
    const entries: TimelineEntry[] = every.map((p, i) => ({
      at: `2026-07-12T09:${String(i).padStart(2, "0")}:00Z`,
      kind: "status",
      title: "English title",
      detail: "English detail",
      phrase: p,
      detail_phrases: [every[6] as Phrase],
      payload: null,
    }));
    render(
      <I18nextProvider i18n={i18n}>
        <Timeline entries={entries} />
      </I18nextProvider>,
    );
    const timeline = screen.getByTestId("timeline");
    expect(proseOf(timeline)).not.toMatch(/[A-Za-z]{2,}/);
  });
});
