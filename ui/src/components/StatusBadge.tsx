import { useTranslation } from "react-i18next";

const TONE: Record<string, string> = {
  new: "neutral",
  approved: "warn",
  authorised: "info",
  updated: "info",
  partially_captured: "info",
  fully_captured: "ok",
  partially_refunded: "info",
  fully_refunded: "ok",
  canceled: "muted",
  declined: "bad",
  expired: "bad",
  on_hold: "warn",
};

export function StatusBadge({ status, testId }: { status: string; testId?: string }) {
  const { t, i18n } = useTranslation();
  const key = `status.${status}`;
  return (
    <span className={`badge tone-${TONE[status] ?? "neutral"}`} data-testid={testId} data-status={status}>
      {i18n.exists(key) ? t(key) : status}
    </span>
  );
}
