// The window: environment frame and badge, demo banner, navigation, the current screen, the
// command palette and global shortcuts.
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { Toaster } from "sonner";
import { ipc, setWindowTitle } from "../ipc";
import { adoptLocale } from "../i18n";
import { useSwitchLanguage } from "./language";
import { ErrorBoundary } from "../components/ErrorBoundary";
import { ErrorState, Loading } from "../components/States";
import { CheckoutChecker } from "../features/checkout/CheckoutChecker";
import { TillScreen } from "../features/till/TillScreen";
import { ChecklistScreen } from "../features/checklist/ChecklistScreen";
import { DashboardScreen } from "../features/dashboard/DashboardScreen";
import { DisputesScreen } from "../features/disputes/DisputesScreen";
import { ExportsScreen } from "../features/exports/ExportsScreen";
import { ReconciliationScreen } from "../features/reconciliation/ReconciliationScreen";
import { OrderDetailScreen } from "../features/order-detail/OrderDetailScreen";
import { OrdersScreen, openingFilter } from "../features/orders/OrdersScreen";
import { prefetchFirstPage } from "../features/orders/useOrderPages";
import { SettingsScreen } from "../features/settings/SettingsScreen";
import { WebhooksScreen } from "../features/webhooks/WebhooksScreen";
import { CommandPalette, type Command } from "./CommandPalette";
import { DemoBanner, useToggleDemo } from "./DemoBanner";
import { useLiveUpdates } from "./liveUpdates";
import { Nav } from "./Nav";
import { qk } from "./queryKeys";
import { ReadyContext } from "./ready";
import { SCREENS, navigate, shortcutDigit, useRoute, type Route } from "./router";
import { focusOrderSearch, useGlobalShortcuts } from "./shortcuts";
import { TopBar, envLabel } from "./TopBar";
import { requestMove } from "../features/order-detail/moveRequests";

function CurrentScreen({ route }: { route: Route }) {
  if (route.orderId) return <OrderDetailScreen key={route.orderId} orderId={route.orderId} />;
  switch (route.screen) {
    case "webhooks":
      return <WebhooksScreen />;
    case "exports":
      return <ExportsScreen />;
    case "checklist":
      return <ChecklistScreen />;
    case "checkout":
      return <CheckoutChecker />;
    case "till":
      return <TillScreen />;
    case "dashboard":
      return <DashboardScreen />;
    case "settings":
      return <SettingsScreen />;
    case "disputes":
      return <DisputesScreen />;
    case "reconciliation":
      return <ReconciliationScreen />;
    default:
      return <OrdersScreen />;
  }
}

export function Shell() {
  const { t, i18n } = useTranslation();
  const client = useQueryClient();
  const route = useRoute();
  const info = useQuery({ queryKey: qk.appInfo, queryFn: () => ipc.appInfo() });
  const [ready, setReady] = useState(false);
  const markReady = useCallback(() => setReady(true), []);
  const [palette, setPalette] = useState(false);
  const openPalette = useCallback(() => setPalette(true), []);
  const toggleDemo = useToggleDemo();
  const switchLanguage = useSwitchLanguage();
  useLiveUpdates(client);
  useGlobalShortcuts(openPalette);

  const label = info.data ? envLabel(info.data) : null;
  useEffect(() => {
    if (label) setWindowTitle(label === "SANDBOX" ? t("app.title") : `${t("app.title")} — ${label}`);
  }, [label, t]);
  useEffect(() => adoptLocale(info.data?.locale), [info.data?.locale]);
  // The orders list is where the operator goes most: its first page is fetched at start,
  // whatever screen opens, so the list draws its rows on the click that opens it.
  useEffect(() => void prefetchFirstPage(client, openingFilter()), [client]);
  useEffect(() => {
    if (info.error) setReady(true);
  }, [info.error]);

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
    if (info.data?.demo) list.push({ id: "demo-traffic", label: t("palette.demoTraffic"), run: () => toggleDemo.mutate() });
    list.push({ id: "start-export", label: t("palette.startExport"), run: () => navigate({ screen: "exports" }) });
    if (route.screen === "orders" && route.orderId) {
      for (const kind of ["capture", "refund"] as const) {
        list.push({ id: `open-${kind}`, label: t(`palette.openMove.${kind}`), run: () => requestMove(kind) });
      }
    }
    return list;
  }, [t, i18n.language, client, info.data?.demo, toggleDemo, switchLanguage, route.screen, route.orderId]);
  // Any id or reference typed: the order screen looks it up in the cache (ids and references).
  const goToOrder = useCallback(
    (text: string): Command[] =>
      text.length >= 3 && !/\s/.test(text) ? [{ id: "go-order", label: t("palette.goToOrder", { id: text }), run: () => navigate({ screen: "orders", orderId: text }) }] : [],
    [t],
  );

  const production = info.data?.environment === "production" && !info.data.demo;
  return (
    <ReadyContext.Provider value={markReady}>
      <div
        className={production ? "app production" : "app"}
        data-testid={ready ? "app-ready" : "app-loading"}
        data-environment={info.data?.environment}
        data-demo={info.data?.demo || undefined}
      >
        {info.isPending ? (
          <Loading label={t("app.starting")} />
        ) : info.error ? (
          <ErrorState error={info.error} onRetry={() => void info.refetch()} />
        ) : (
          <>
            <TopBar info={info.data} onPalette={openPalette} />
            {info.data.demo && <DemoBanner />}
            {production && (
              <div className="production-strip" role="note">
                {t("env.productionStrip")}
              </div>
            )}
            <div className="body">
              <Nav current={route.screen} />
              <main className="main">
                <ErrorBoundary resetKey={`${route.screen}/${route.orderId ?? ""}`}>
                  <CurrentScreen route={route} />
                </ErrorBoundary>
              </main>
            </div>
          </>
        )}
        <Toaster position="bottom-center" dir={i18n.dir()} closeButton />
        {palette && <CommandPalette commands={commands} dynamic={goToOrder} onClose={() => setPalette(false)} />}
      </div>
    </ReadyContext.Provider>
  );
}
