// What the command palette offers: the screens, the global actions, and on an order's screen the
// money moves that order allows right now (read from the order screen's own cached query).
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback, useMemo } from "react";
import { useTranslation } from "react-i18next";
import { ipc } from "../ipc";
import { MOVE_KINDS } from "../features/order-detail/moves";
import { requestMove } from "../features/order-detail/moveRequests";
import type { Command } from "./CommandPalette";
import { useToggleDemo } from "./DemoBanner";
import { useSwitchLanguage } from "./language";
import { qk } from "./queryKeys";
import { SCREENS, navigate, shortcutDigit, type Route } from "./router";
import { focusOrderSearch } from "./shortcuts";

export function usePaletteCommands(route: Route, demo: boolean | undefined): { commands: Command[]; goToOrder: (text: string) => Command[] } {
  const { t, i18n } = useTranslation();
  const client = useQueryClient();
  const toggleDemo = useToggleDemo();
  const switchLanguage = useSwitchLanguage();
  // Never fetches: it only follows what the open order screen loaded.
  const order = useQuery({ queryKey: qk.order(route.orderId ?? ""), queryFn: () => ipc.orderDetail(route.orderId ?? ""), enabled: false });
  const allowed = route.orderId ? order.data?.allowed : undefined;

  const commands = useMemo<Command[]>(() => {
    const list: Command[] = SCREENS.map((s, i) => ({
      id: `go-${s}`,
      label: t("palette.goTo", { screen: t(`nav.${s}`) }),
      hint: shortcutDigit(i) ? `Alt ${shortcutDigit(i)}` : undefined,
      run: () => navigate({ screen: s }),
    }));
    list.push({ id: "search-orders", label: t("palette.searchOrders"), hint: "/", run: focusOrderSearch });
    list.push({
      id: "language",
      label: t("palette.language"),
      run: () => switchLanguage(i18n.language === "ar" ? "en" : "ar"),
    });
    list.push({ id: "environment", label: t("palette.environment"), run: () => navigate({ screen: "settings" }) });
    list.push({ id: "refresh", label: t("palette.refresh"), run: () => void client.invalidateQueries() });
    if (demo) list.push({ id: "demo-traffic", label: t("palette.demoTraffic"), run: () => toggleDemo.mutate() });
    list.push({ id: "start-export", label: t("palette.startExport"), run: () => navigate({ screen: "exports" }) });
    for (const kind of MOVE_KINDS) {
      if (allowed?.[kind]) list.push({ id: `open-${kind}`, label: t(`palette.openMove.${kind}`), run: () => requestMove(kind) });
    }
    return list;
  }, [t, i18n.language, client, demo, toggleDemo, switchLanguage, allowed]);
  // Any id or reference typed: the order screen looks it up in the cache (ids and references).
  const goToOrder = useCallback(
    (text: string): Command[] =>
      text.length >= 3 && !/\s/.test(text) ? [{ id: "go-order", label: t("palette.goToOrder", { id: text }), run: () => navigate({ screen: "orders", orderId: text }) }] : [],
    [t],
  );
  return { commands, goToOrder };
}
