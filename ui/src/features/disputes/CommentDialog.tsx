// The merchant's comment on a dispute (Tamara's update, third-party documented): at most 255
// characters, sent once; the dispute is re-read after it. Refusals show with their hint.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { ipc } from "../../ipc";
import { qk } from "../../app/queryKeys";
import { Dialog } from "../../components/Dialog";
import { ErrorState } from "../../components/States";

export const MAX_COMMENT = 255;

export function CommentDialog({ disputeId, onClose }: { disputeId: string; onClose: () => void }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const [text, setText] = useState("");
  const send = useMutation({
    mutationFn: () => ipc.disputeComment(disputeId, text),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: qk.disputesAll });
      onClose();
    },
  });
  const length = [...text.trim()].length;
  return (
    <Dialog title={t("disputes.commentTitle", { id: disputeId })} onClose={onClose} testId="dispute-comment-dialog">
      <div className="form">
        <label>
          <span>{t("disputes.commentLabel")}</span>
          <textarea dir="auto" rows={4} value={text} onChange={(e) => setText(e.target.value)} data-testid="dispute-comment-text" />
        </label>
      </div>
      <p className={length > MAX_COMMENT ? "danger-text small" : "muted small"} data-testid="dispute-comment-count">
        {t("disputes.commentCount", { n: length, max: MAX_COMMENT })}
      </p>
      {send.error && <ErrorState error={send.error} compact />}
      <footer className="dialog-footer">
        <button type="button" className="ghost" onClick={onClose}>
          {t("common.cancel")}
        </button>
        <button
          type="button"
          className="primary"
          disabled={send.isPending || length === 0 || length > MAX_COMMENT}
          onClick={() => send.mutate()}
          data-testid="dispute-comment-send"
        >
          {t("disputes.commentSend")}
        </button>
      </footer>
    </Dialog>
  );
}
