// Money flow and health at a glance: captured/refunded per day, webhook intake, the gateway's
// circuit breaker, the processing backlog and the reconciler. Health follows pushed events.
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { ipc, type HealthChanged } from "../../ipc";
import { qk } from "../../app/queryKeys";
import { useMarkReady } from "../../app/ready";
import { Empty, ErrorState, Loading } from "../../components/States";
import { backlogDetail } from "../../app/backlog";
import { formatCount, formatDateTime } from "../../lib/time";
import { RegistrationNotices, registrationTone } from "./RegistrationHealth";
import { VolumeChart } from "./VolumeChart";

const RANGES = [7, 30, 90];

function Stat({ label, value, tone, testId, detail }: { label: string; value: string; tone?: string; testId?: string; detail?: string }) {
  return (
    <div className={`stat ${tone ? `tone-${tone}` : ""}`} data-testid={testId}>
      <span className="stat-label">{label}</span>
      <span className="stat-value">{value}</span>
      {detail && <span className="stat-detail muted small">{detail}</span>}
    </div>
  );
}

export function DashboardScreen() {
  const { t, i18n } = useTranslation();
  const [days, setDays] = useState(30);
  const q = useQuery({ queryKey: qk.dashboard(days), queryFn: () => ipc.dashboard(days) });
  const pushed = useQuery<HealthChanged | null>({ queryKey: qk.health, queryFn: () => null, enabled: false });
  const [picked, setPicked] = useState("");
  useMarkReady(!q.isPending);
  if (q.isPending) return <Loading />;
  if (q.error) return <ErrorState error={q.error} onRetry={() => void q.refetch()} />;
  const d = q.data;
  const h = pushed.data;
  const breaker = h?.breaker ?? d.breaker;
  const backlog = h?.backlog ?? d.backlog;
  const lastRun = h ? h.reconciler_last_run : d.reconciler_last_run;
  const late = h?.reconciler_late ?? d.reconciler_late;
  const currencies = [...new Set(d.volume.map((v) => v.currency))].sort();
  // Amounts of different currencies never share a chart; Saudi riyal first when there is any.
  const currency = currencies.includes(picked) ? picked : currencies.includes("SAR") ? "SAR" : (currencies[0] ?? "");
  const n = (v: number) => formatCount(v, i18n.language);
  return (
    <section className="screen" aria-labelledby="dashboard-title">
      <header className="screen-header">
        <h1 id="dashboard-title">{t("dashboard.title")}</h1>
        <div className="segmented" role="radiogroup" aria-label={t("dashboard.range")}>
          {RANGES.map((r) => (
            <button key={r} type="button" role="radio" aria-checked={days === r} onClick={() => setDays(r)}>
              {t("dashboard.days", { n: r })}
            </button>
          ))}
        </div>
      </header>
      <div className="stats">
        <Stat label={t("dashboard.received")} value={n(d.webhooks.received)} testId="stat-received" />
        <Stat label={t("dashboard.rejected")} value={n(d.webhooks.rejected)} tone={d.webhooks.rejected > 0 ? "warn" : undefined} testId="stat-rejected" />
        <Stat label={t("dashboard.failed")} value={n(d.webhooks.failed)} tone={d.webhooks.failed > 0 ? "bad" : undefined} testId="stat-failed" />
        <Stat label={t("dashboard.breaker")} value={t(`breaker.${breaker}`, { defaultValue: breaker })} tone={breaker === "closed" ? "ok" : "bad"} testId="stat-breaker" />
        <Stat
          label={t("dashboard.backlog")}
          value={n(backlog)}
          tone={backlog > 100 ? "warn" : undefined}
          testId="stat-backlog"
          detail={h ? backlogDetail(h, t, i18n.language) : undefined}
        />
        <Stat
          label={t("dashboard.reconciler")}
          value={lastRun ? formatDateTime(lastRun, i18n.language) : t("dashboard.never")}
          tone={late ? "bad" : "ok"}
          testId="stat-reconciler"
        />
        <Stat
          label={t("dashboard.registrations")}
          value={t(!d.registrations.checked_at ? "dashboard.regUnchecked" : registrationTone(d.registrations) === "ok" ? "dashboard.regOk" : "dashboard.regAttention")}
          tone={registrationTone(d.registrations)}
          testId="stat-registrations"
        />
      </div>
      {late && <p className="notice bad-text">{t("dashboard.reconcilerLate")}</p>}
      {d.rejection_spike && (
        <p className="notice bad-text" role="alert" data-testid="rejection-spike">
          {t("dashboard.rejectionSpike", { refused: n(d.rejection_spike.refused), senders: n(d.rejection_spike.senders), threshold: n(d.rejection_spike.threshold) })}{" "}
          {d.rejection_spike.top_sender && <bdi dir="ltr">{t("dashboard.rejectionTop", { sender: d.rejection_spike.top_sender, n: n(d.rejection_spike.top_sender_refused) })}</bdi>}
        </p>
      )}
      <RegistrationNotices status={d.registrations} />
      <section className="panel">
        <header className="toolbar">
          <h2 className="grow">{t("dashboard.volume")}</h2>
          {currencies.length > 1 && (
            <select value={currency} onChange={(e) => setPicked(e.target.value)} aria-label={t("orders.filter.currency")}>
              {currencies.map((c) => (
                <option key={c}>{c}</option>
              ))}
            </select>
          )}
        </header>
        {currency ? <VolumeChart days={d.volume} currency={currency} /> : <Empty title={t("dashboard.noVolume")} hint={t("dashboard.noVolumeHint")} />}
      </section>
    </section>
  );
}
