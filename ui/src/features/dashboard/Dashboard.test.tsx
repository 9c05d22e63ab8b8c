import { screen, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { push, renderApp, scriptShell } from "../../test/harness";

describe("dashboard", () => {
  it("draws bars from exact amounts and follows pushed health", async () => {
    scriptShell({
      dashboard: () => ({
        volume: [
          { day: "2025-03-01", currency: "SAR", captured: "1000.00", refunded: "250.00" },
          { day: "2025-03-02", currency: "SAR", captured: "9007199254740993.00", refunded: "0.00" },
          { day: "2025-03-01", currency: "KWD", captured: "12.500", refunded: "0.000" },
        ],
        webhooks: { received: 1342, rejected: 7, failed: 2 },
        breaker: "closed",
        backlog: 3,
        reconciler_last_run: "2025-03-02T10:00:00Z",
        reconciler_late: false,
        registrations: { checked_at: "2025-03-02T10:05:00Z", registered: 1, problems: [], silent: false, silent_since: null, orders_changed: 0 },
        rejection_spike: null,
      }),
    });
    renderApp("#/dashboard");
    const days = await screen.findAllByTestId("volume-day");
    expect(days.map((d) => d.getAttribute("data-day"))).toEqual(["2025-03-01", "2025-03-02"]);
    const [small, big] = days.map((d) => d.querySelector("rect.captured") as SVGRectElement);
    expect(big?.getAttribute("data-amount")).toBe("9007199254740993.00");
    expect(Number(big?.getAttribute("height"))).toBeGreaterThan(100);
    // 1000 of 9.007e15 is a sliver, not a float rounding artefact.
    expect(Number(small?.getAttribute("height"))).toBeLessThan(0.01);
    expect(screen.getByTestId("volume-chart")).toHaveTextContent("9,007,199,254,740,993.00 SAR");
    expect(screen.getByTestId("stat-received")).toHaveTextContent("1,342");
    expect(screen.getByTestId("stat-breaker")).toHaveTextContent("closed");

    await push("health-changed", {
      receiver: "running",
      breaker: "open",
      backlog: 250,
      backlog_oldest_secs: 200,
      backlog_drain_secs: 90,
      reconciler_last_run: null,
      reconciler_late: true,
    });
    await waitFor(() => expect(screen.getByTestId("stat-breaker")).toHaveTextContent("open"));
    expect(screen.getByTestId("stat-backlog")).toHaveTextContent("250");
    // How old the backlog is and when it drains at the recent pace, not just its size.
    expect(screen.getByTestId("stat-backlog")).toHaveTextContent("oldest 3 min · drains in about 2 min");
    expect(screen.getByTestId("health-backlog")).toHaveTextContent("oldest 3 min · drains in about 2 min");
    await push("health-changed", {
      receiver: "running",
      breaker: "open",
      backlog: 250,
      backlog_oldest_secs: 4000,
      backlog_drain_secs: null,
      reconciler_last_run: null,
      reconciler_late: true,
    });
    await waitFor(() => expect(screen.getByTestId("health-backlog")).toHaveTextContent("oldest 1 h 6 min · nothing processed lately"));
    expect(screen.getByText(/The reconciler is late/)).toBeInTheDocument();
    expect(screen.getByTestId("health-pill")).toHaveTextContent("breaker open");
    expect(screen.getByTestId("stat-registrations")).toHaveTextContent("as registered");
    expect(screen.queryByTestId("registration-problems")).toBeNull();
    expect(screen.queryByTestId("rejection-spike")).toBeNull();
  });

  it("says which webhook Tamara lost and that deliveries went silent", async () => {
    scriptShell({
      dashboard: () => ({
        volume: [],
        webhooks: { received: 0, rejected: 0, failed: 0 },
        breaker: "closed",
        backlog: 0,
        reconciler_last_run: null,
        reconciler_late: false,
        registrations: {
          checked_at: "2025-03-02T10:05:00Z",
          registered: 2,
          problems: [{ webhook_id: "w1", url: "https://shop.example/hooks", state: "missing", detail: null }],
          silent: true,
          silent_since: null,
          orders_changed: 4,
        },
        rejection_spike: { refused: 1240, senders: 3, top_sender: "203.0.113.9", top_sender_refused: 1200, threshold: 50 },
      }),
    });
    renderApp("#/dashboard");
    const problems = await screen.findByTestId("registration-problems");
    expect(problems).toHaveTextContent("Webhook https://shop.example/hooks is gone at Tamara");
    expect(problems).toHaveTextContent("No verified delivery yet while 4 orders changed.");
    expect(screen.getByTestId("stat-registrations")).toHaveTextContent("attention");
    const spike = screen.getByTestId("rejection-spike");
    expect(spike).toHaveTextContent("1,240 without a valid token in 10 minutes from 3 addresses");
    expect(spike).toHaveTextContent("Most came from 203.0.113.9 (1,200).");
  });
});
