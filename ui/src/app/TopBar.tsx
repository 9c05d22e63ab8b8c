import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import type { AppInfo, HealthChanged } from "../ipc";
import { backlogDetail } from "./backlog";
import { useSwitchLanguage } from "./language";
import { qk } from "./queryKeys";

export function envLabel(info: AppInfo): "DEMO" | "PRODUCTION" | "SANDBOX" {
  if (info.demo) return "DEMO";
  return info.environment === "production" ? "PRODUCTION" : "SANDBOX";
}

/** Receiver and breaker state as last pushed by the shell (nothing until the first event). */
function HealthPill() {
  const { t, i18n } = useTranslation();
  const health = useQuery<HealthChanged | null>({ queryKey: qk.health, queryFn: () => null, enabled: false });
  const h = health.data;
  if (!h) return null;
  const bad = h.breaker !== "closed" || h.reconciler_late;
  return (
    <span className={`health-pill ${bad ? "tone-bad" : "tone-ok"}`} data-testid="health-pill" title={t("health.title")}>
      {t("health.summary", { receiver: t(`receiver.${h.receiver}`, { defaultValue: h.receiver }), breaker: t(`breaker.${h.breaker}`, { defaultValue: h.breaker }), backlog: h.backlog })}
      {h.backlog > 0 && <span data-testid="health-backlog"> ({backlogDetail(h, t, i18n.language)})</span>}
    </span>
  );
}

export function TopBar({ info, onPalette }: { info: AppInfo; onPalette: () => void }) {
  const { t, i18n } = useTranslation();
  const label = envLabel(info);
  const tone = label === "PRODUCTION" ? "env-production" : label === "DEMO" ? "env-demo" : "env-sandbox";
  const other = i18n.language === "ar" ? "en" : "ar";
  const switchLanguage = useSwitchLanguage();
  return (
    <header className="topbar">
      <span className="brand">{t("app.name")}</span>
      <span className={`env-badge ${tone}`} data-testid="env-badge" title={t(`env.${label}`)}>
        {label}
      </span>
      <span className="muted small operator" title={t("app.operator")}>
        {info.operator}
      </span>
      <span className="spacer" />
      {info.receiver_error && (
        <span className="health-pill tone-bad" title={info.receiver_error} data-testid="receiver-down">
          {t("health.receiverDown")}
        </span>
      )}
      <HealthPill />
      <button type="button" className="ghost palette-button" onClick={onPalette} aria-keyshortcuts="Control+K Meta+K">
        {t("palette.open")} <kbd>Ctrl K</kbd>
      </button>
      <button type="button" className="ghost" data-testid="lang-toggle" lang={other} onClick={() => switchLanguage(other)}>
        {other === "ar" ? "العربية" : "English"}
      </button>
    </header>
  );
}
