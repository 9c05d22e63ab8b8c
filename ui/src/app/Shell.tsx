// The window: environment frame and badge, demo banner, navigation, the current screen, the
// command palette and global shortcuts.
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { Toaster } from "sonner";
import { ipc, setWindowTitle } from "../ipc";
import { adoptLocale } from "../i18n";
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
import { CommandPalette } from "./CommandPalette";
import { usePaletteCommands } from "./paletteCommands";
import { DemoBanner } from "./DemoBanner";
import { useLiveUpdates } from "./liveUpdates";
import { Nav } from "./Nav";
import { qk } from "./queryKeys";
import { ReadyContext } from "./ready";
import { useRoute, type Route } from "./router";
import { useGlobalShortcuts } from "./shortcuts";
import { TopBar, envLabel } from "./TopBar";

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
  const rtl = i18n.dir(i18n.language) === "rtl";
  const client = useQueryClient();
  const route = useRoute();
  const info = useQuery({ queryKey: qk.appInfo, queryFn: () => ipc.appInfo() });
  const [ready, setReady] = useState(false);
  const markReady = useCallback(() => setReady(true), []);
  const [palette, setPalette] = useState(false);
  const openPalette = useCallback(() => setPalette(true), []);
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

  const { commands, goToOrder } = usePaletteCommands(route, info.data?.demo);

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
        <Toaster dir={rtl ? "rtl" : "ltr"} position={rtl ? "bottom-left" : "bottom-right"} richColors closeButton />
        {palette && <CommandPalette commands={commands} dynamic={goToOrder} onClose={() => setPalette(false)} />}
      </div>
    </ReadyContext.Provider>
  );
}
