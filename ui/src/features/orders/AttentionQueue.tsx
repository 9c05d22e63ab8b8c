// "Needs attention": orders a person should act on, most urgent first. Each row says what is at
// stake (amount, customer), how long is left in one humane format, and offers the move the
// reason calls for (authorise, or capture / cancel) in the order screen's own move dialog, so
// the money path and its guards stay the core's.
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { ipc, type AttentionItem, type MoveKind } from "../../ipc";
import { qk } from "../../app/queryKeys";
import { navigate } from "../../app/router";
import { Amount } from "../../components/Amount";
import { MiddleEllipsis } from "../../components/MiddleEllipsis";
import { Empty, ErrorState, Loading } from "../../components/States";
import { PhraseText } from "../../lib/phrase";
import { formatDuration } from "../../lib/duration";
import { minutesLeft } from "../../lib/time";
import { useNow } from "../../lib/useNow";
import { RowMoveDialog } from "./RowMoveDialog";

export function useAttention() {
  return useQuery({ queryKey: qk.attention, queryFn: () => ipc.attentionQueue() });
}

function byUrgency(a: AttentionItem, b: AttentionItem): number {
  if (a.deadline && b.deadline) return a.deadline.localeCompare(b.deadline);
  if (a.deadline) return -1;
  if (b.deadline) return 1;
  return 0;
}

/** The moves a reason calls for, offered on its row. */
export const ROW_MOVES: Partial<Record<AttentionItem["reason"], MoveKind[]>> = {
  approved_not_authorised: ["authorise"],
  authorised_not_captured: ["capture", "cancel"],
};

export function TimeLeft({ deadline, now }: { deadline: string; now: number }) {
  const { t, i18n } = useTranslation();
  const left = minutesLeft(deadline, now);
  if (left < 0) return <span className="badge tone-bad" data-testid="time-left">{t("attention.expired")}</span>;
  const tone = left < 12 * 60 ? "bad" : left < 24 * 60 ? "warn" : "info";
  return (
    <span className={`badge tone-${tone}`} data-testid="time-left" data-minutes={left}>
      {t("attention.left", { left: formatDuration(left, t, i18n.language) })}
    </span>
  );
}

function What({ item }: { item: AttentionItem }) {
  const { t } = useTranslation();
  if (item.reason === "approved_not_authorised" || item.reason === "authorised_not_captured") {
    return <span className="muted grow">{t(`attention.todo.${item.reason}`)}</span>;
  }
  // The core's sentence as a translated phrase (its English is the CLI's).
  return (
    <span className="muted grow" data-testid="attention-detail" title={item.detail}>
      <PhraseText phrases={item.phrase} />
    </span>
  );
}

export function AttentionQueue() {
  const { t } = useTranslation();
  const now = useNow();
  const q = useAttention();
  const [move, setMove] = useState<{ orderId: string; kind: MoveKind } | null>(null);
  if (q.isPending) return <Loading />;
  if (q.error) return <ErrorState error={q.error} onRetry={() => void q.refetch()} />;
  if (q.data.length === 0) return <Empty title={t("attention.emptyTitle")} hint={t("attention.emptyHint")} />;
  const items = [...q.data].sort(byUrgency);
  return (
    <>
      <ul className="attention-list" data-testid="attention-queue">
        {items.map((item) => {
          const label = item.reference || item.order_id;
          return (
            <li key={`${item.order_id}-${item.reason}`} className="attention-item" data-testid="attention-item" data-order-id={item.order_id} data-reason={item.reason}>
              <button
                type="button"
                className="attention-open"
                aria-label={t("attention.openFor", { reference: label })}
                onClick={() => navigate({ screen: "orders", orderId: item.order_id })}
              >
                <MiddleEllipsis className="mono" text={label} testId="attention-reference" />
                {item.customer ? (
                  // A name is data, shown as the customer gave it.
                  <bdi className="attention-customer" data-testid="attention-customer" data-raw="">
                    {item.customer}
                  </bdi>
                ) : (
                  <span className="attention-customer" data-testid="attention-customer">
                    {t("attention.customerUnknown")}
                  </span>
                )}
                {item.amount && <Amount value={item.amount} currency={item.currency ?? undefined} testId="attention-amount" />}
                <span className={`badge tone-${item.reason === "mismatch" || item.reason === "auto_authorise_failed" ? "bad" : "warn"}`}>
                  {t(`attention.reason.${item.reason}`)}
                </span>
                {item.deadline && <TimeLeft deadline={item.deadline} now={now} />}
                <What item={item} />
                <span aria-hidden="true" className="chevron">›</span>
              </button>
              {(ROW_MOVES[item.reason] ?? []).map((kind) => (
                <button
                  key={kind}
                  type="button"
                  className={kind === "cancel" ? "secondary" : "primary"}
                  data-testid={`attention-${kind}`}
                  aria-label={t("attention.actionFor", { action: t(`actions.${kind}`), reference: label })}
                  onClick={() => setMove({ orderId: item.order_id, kind })}
                >
                  {t(`actions.${kind}`)}
                </button>
              ))}
            </li>
          );
        })}
      </ul>
      {move && <RowMoveDialog orderId={move.orderId} kind={move.kind} onClose={() => setMove(null)} />}
    </>
  );
}
