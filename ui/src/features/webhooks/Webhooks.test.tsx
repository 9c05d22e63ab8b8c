import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { DeliveryRow } from "../../ipc";
import { callsTo, push, renderApp, scriptShell } from "../../test/harness";

const row = (id: number, patch: Partial<DeliveryRow> = {}): DeliveryRow => ({
  id,
  received_at: "2025-03-02T09:17:10Z",
  verdict: "verified",
  reason: null,
  http_status: 200,
  order_id: `order-${id}`,
  event_type: "order_approved",
  processing_state: "processed",
  processing_result: "order_approved: new -> authorised",
  attempts: 1,
  ...patch,
});

describe("webhooks", () => {
  it("lists deliveries with verdicts, filters by verdict, and refreshes on a pushed delivery", async () => {
    const user = userEvent.setup({ delay: null });
    let rows = [row(2, { verdict: "rejected", reason: "token expired", http_status: 401, processing_state: "skipped" }), row(1)];
    const calls = scriptShell({
      deliveries_page: (a) => {
        const f = a.filter as { verdict: string | null };
        return rows.filter((r) => !f.verdict || r.verdict === f.verdict);
      },
    });
    renderApp("#/webhooks");
    const list = await screen.findByTestId("delivery-list");
    const shown = within(list).getAllByTestId("delivery-row");
    expect(shown.map((r) => r.getAttribute("data-verdict"))).toEqual(["rejected", "verified"]);
    expect(shown[0]).toHaveTextContent("token expired");
    await user.selectOptions(screen.getByTestId("delivery-filter-verdict"), "rejected");
    await waitFor(() => expect(screen.getAllByTestId("delivery-row")).toHaveLength(1));
    expect(callsTo(calls, "deliveries_page").at(-1)?.args.filter).toMatchObject({ verdict: "rejected", order_id: null, before_id: null });

    await user.selectOptions(screen.getByTestId("delivery-filter-verdict"), "");
    rows = [row(3), ...rows];
    await push("delivery-received", { delivery_id: 3, order_id: "order-3", event_type: "order_approved", verdict: "verified" });
    await waitFor(() => expect(screen.getAllByTestId("delivery-row")).toHaveLength(3));
  });

  it("opens a delivery, shows its request and replays it", async () => {
    const user = userEvent.setup({ delay: null });
    const detail = {
      delivery: row(7, { processing_state: "failed", processing_result: "order read failed: gateway_timeout" }),
      method: "POST",
      path: "/webhooks/tamara",
      query: "tamaraToken=****9f2a",
      headers: '{"authorization":"Bearer ****9f2a"}',
      body: '{"order_id":"order-7","data":{"captured_amount":{"amount":230.00}}}',
    };
    const calls = scriptShell({
      deliveries_page: () => [row(7, { processing_state: "failed" })],
      delivery_detail: () => detail,
      delivery_replay: () => ({ ...detail, delivery: { ...detail.delivery, processing_state: "processed", processing_result: "order_approved: still authorised", attempts: 2 } }),
    });
    renderApp("#/webhooks");
    await user.click(await screen.findByTestId("delivery-row"));
    const dialog = await screen.findByTestId("delivery-detail");
    await waitFor(() => expect(dialog).toHaveTextContent("POST /webhooks/tamara?tamaraToken=****9f2a → 200"));
    expect(dialog).toHaveTextContent("amount: 230.00");
    expect(within(dialog).getByTestId("delivery-processing")).toHaveAttribute("data-state", "failed");
    await user.click(within(dialog).getByTestId("delivery-replay"));
    await waitFor(() => expect(within(dialog).getByTestId("delivery-processing")).toHaveAttribute("data-state", "processed"));
    expect(within(dialog).getByTestId("delivery-processing")).toHaveTextContent("(2 attempts)");
    expect(callsTo(calls, "delivery_replay")[0]?.args).toEqual({ id: 7 });
  });

  it("tests a pasted token with its line breaks removed and shows which check fails", async () => {
    const user = userEvent.setup({ delay: null });
    const calls = scriptShell({
      deliveries_page: () => [],
      token_check: () => ({
        ok: false,
        checks: [
          { name: "signature", ok: true, detail: "HS256 with the sandbox notification token" },
          { name: "expiry", ok: false, detail: "expired 2 h ago" },
        ],
      }),
    });
    renderApp("#/webhooks");
    await user.click(await screen.findByTestId("webhooks-tab-token"));
    await user.click(screen.getByTestId("token-input"));
    await user.paste("eyJhbGciOiJIUzI1NiJ9.\n eyJpc3MiOiJUYW1hcmEifQ\n.c2ln");
    await user.click(screen.getByTestId("token-check"));
    const result = await screen.findByTestId("token-result");
    expect(callsTo(calls, "token_check")[0]?.args).toEqual({ input: "eyJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJUYW1hcmEifQ.c2ln" });
    expect(result).toHaveAttribute("data-ok", "false");
    expect(result).toHaveTextContent("The token would be rejected.");
    expect(result.querySelector('[data-ok="false"]')).toHaveTextContent("expiry");
  });

  it("registers a webhook with headers and shows whether Tamara lists it", async () => {
    const user = userEvent.setup({ delay: null });
    let listed: unknown[] = [];
    const calls = scriptShell({
      deliveries_page: () => [],
      webhooks_list: () => listed,
      webhook_register: (a) => {
        const registered = { webhook_id: "wh_1", url: a.url, events: a.events, headers: Object.keys(a.headers as object), known_to_tamara: true, registered_here: true, created_at: null };
        listed = [registered];
        return registered;
      },
    });
    renderApp("#/webhooks");
    await user.click(await screen.findByTestId("webhooks-tab-registrations"));
    expect(await screen.findByTestId("empty-state")).toHaveTextContent("No webhook registered");
    await user.click(screen.getByTestId("webhook-register"));
    await user.type(screen.getByTestId("webhook-url"), "http://shop.example/hooks");
    expect(screen.getByText(/HTTPS URLs only/)).toBeInTheDocument();
    await user.clear(screen.getByTestId("webhook-url"));
    await user.type(screen.getByTestId("webhook-url"), "https://shop.example/hooks");
    await user.click(screen.getByRole("button", { name: "Add header" }));
    await user.type(screen.getByRole("textbox", { name: "Header name" }), "x-console-key");
    await user.type(screen.getByRole("textbox", { name: "Header value" }), "k-7f3a");
    await user.click(within(screen.getByRole("dialog")).getByRole("button", { name: "Register webhook" }));
    const rowEl = await screen.findByTestId("webhook-row");
    expect(rowEl).toHaveAttribute("data-known", "true");
    expect(rowEl).toHaveTextContent("listed by Tamara");
    const sent = callsTo(calls, "webhook_register")[0]?.args;
    expect(sent?.url).toBe("https://shop.example/hooks");
    expect(sent?.headers).toEqual({ "x-console-key": "k-7f3a" });
    expect(sent?.events).toHaveLength(8);
  });
});
