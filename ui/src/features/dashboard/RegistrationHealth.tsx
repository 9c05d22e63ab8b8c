// The last registration-health check: is each webhook still at Tamara as registered, and are
// deliveries arriving while orders change? The core checks every ten minutes.
import { useTranslation } from "react-i18next";
import type { RegistrationStatus } from "../../ipc";
import { formatDateTime } from "../../lib/time";

export function registrationTone(r: RegistrationStatus): "ok" | "bad" | undefined {
  if (!r.checked_at) return undefined;
  return r.problems.length === 0 && !r.silent ? "ok" : "bad";
}

export function RegistrationNotices({ status }: { status: RegistrationStatus }) {
  const { t, i18n } = useTranslation();
  if (registrationTone(status) !== "bad") return null;
  const key = { missing: "dashboard.regMissing", differs: "dashboard.regDiffers", unknown: "dashboard.regUnknown" } as const;
  return (
    <ul className="notice bad-text" data-testid="registration-problems">
      {status.problems.map((p) => (
        <li key={p.webhook_id}>
          {t(key[p.state as keyof typeof key] ?? "dashboard.regUnknown", { url: p.url, detail: p.detail ?? "" })}
        </li>
      ))}
      {status.silent && (
        <li>
          {status.silent_since
            ? t("dashboard.regSilent", { since: formatDateTime(status.silent_since, i18n.language), n: status.orders_changed })
            : t("dashboard.regSilentNever", { n: status.orders_changed })}
        </li>
      )}
    </ul>
  );
}
