// The demo is labelled as such on every screen, with its traffic generator's switch.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { ipc, toIpcError, type DemoState } from "../ipc";
import { qk } from "./queryKeys";

/**
 * The shell starts the generator with the demo; its answers to the toggle are the truth after
 * (-1: how many orders it created is not known yet).
 */
const ASSUMED: DemoState = { available: true, running: true, orders_created: -1 };

export function useDemoState() {
  return useQuery<DemoState>({ queryKey: qk.demo, queryFn: () => ASSUMED, initialData: ASSUMED, enabled: false });
}

export function useToggleDemo() {
  const client = useQueryClient();
  const state = useDemoState();
  return useMutation({
    mutationFn: () => ipc.demoTraffic(!state.data.running),
    onSuccess: (s) => client.setQueryData(qk.demo, s),
  });
}

export function DemoBanner() {
  const { t } = useTranslation();
  const state = useDemoState();
  const toggle = useToggleDemo();
  const running = state.data.running;
  return (
    <div className="demo-banner" role="status" data-testid="demo-banner">
      <strong>{t("demo.title")}</strong>
      <span>{t("demo.explain")}</span>
      <span className="spacer" />
      {toggle.error && <span className="field-error">{toIpcError(toggle.error).message}</span>}
      <label className="switch">
        <input
          type="checkbox"
          role="switch"
          data-testid="demo-traffic-toggle"
          checked={running}
          disabled={toggle.isPending}
          onChange={() => toggle.mutate()}
        />
        <span>{!running ? t("demo.trafficOff") : state.data.orders_created < 0 ? t("demo.trafficOn") : t("demo.trafficOnCount", { n: state.data.orders_created })}</span>
      </label>
    </div>
  );
}
