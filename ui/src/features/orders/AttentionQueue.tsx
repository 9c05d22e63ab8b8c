// "Needs attention": orders a person should look at now, most urgent first, with the time left
// before Tamara's 72-hour authorise deadline expires an approved order.
import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { ipc, type AttentionItem } from "../../ipc";
import { qk } from "../../app/queryKeys";
import { navigate } from "../../app/router";
import { Empty, ErrorState, Loading } from "../../components/States";
import { PhraseText } from "../../lib/phrase";
import { minutesLeft } from "../../lib/time";
import { useNow } from "../../lib/useNow";

export function useAttention() {
  return useQuery({ queryKey: qk.attention, queryFn: () => ipc.attentionQueue() });
}

function byUrgency(a: AttentionItem, b: AttentionItem): number {
  if (a.deadline && b.deadline) return a.deadline.localeCompare(b.deadline);
  if (a.deadline) return -1;
  if (b.deadline) return 1;
  return 0;
}

export function TimeLeft({ deadline, now }: { deadline: string; now: number }) {
  const { t } = useTranslation();
  const left = minutesLeft(deadline, now);
  if (left < 0) return <span className="badge tone-bad" data-testid="time-left">{t("attention.expired")}</span>;
  const h = Math.floor(left / 60);
  const m = left % 60;
  const tone = left < 12 * 60 ? "bad" : left < 24 * 60 ? "warn" : "info";
  return (
    <span className={`badge tone-${tone}`} data-testid="time-left" data-minutes={left}>
      {t("attention.left", { h, m })}
    </span>
  );
}

export function AttentionQueue() {
  const { t } = useTranslation();
  const now = useNow();
  const q = useAttention();
  if (q.isPending) return <Loading />;
  if (q.error) return <ErrorState error={q.error} onRetry={() => void q.refetch()} />;
  if (q.data.length === 0) return <Empty title={t("attention.emptyTitle")} hint={t("attention.emptyHint")} />;
  const items = [...q.data].sort(byUrgency);
  return (
    <ul className="attention-list" data-testid="attention-queue">
      {items.map((item) => (
        <li key={`${item.order_id}-${item.reason}`} data-testid="attention-item" data-order-id={item.order_id}>
          <button type="button" className="attention-open" onClick={() => navigate({ screen: "orders", orderId: item.order_id })}>
            <span className="mono">{item.reference}</span>
            <span className={`badge tone-${item.reason === "mismatch" || item.reason === "auto_authorise_failed" ? "bad" : "warn"}`}>
              {t(`attention.reason.${item.reason}`)}
            </span>
            {item.deadline && <TimeLeft deadline={item.deadline} now={now} />}
            <span className="muted grow" data-testid="attention-detail">
              <PhraseText phrases={item.phrase} />
            </span>
            <span aria-hidden="true" className="chevron">›</span>
          </button>
        </li>
      ))}
    </ul>
  );
}
