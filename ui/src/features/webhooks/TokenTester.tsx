// Paste a tamaraToken or a whole notification URL and see each check the receiver makes, with
// the first failing one explained.
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { ipc } from "../../ipc";
import { ErrorState } from "../../components/States";
import { CheckList } from "./CheckList";

export function TokenTester() {
  const { t } = useTranslation();
  const [input, setInput] = useState("");
  const check = useMutation({ mutationFn: (s: string) => ipc.tokenCheck(s) });
  return (
    <div className="panel">
      <p className="muted">{t("webhooks.token.explain")}</p>
      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault();
          // Long JWTs get pasted with line breaks: whitespace is never part of a token.
          check.mutate(input.replace(/\s+/g, ""));
        }}
      >
        <textarea
          dir="ltr"
          rows={4}
          className="mono"
          value={input}
          onChange={(e) => setInput(e.target.value)}
          placeholder={t("webhooks.token.placeholder")}
          data-testid="token-input"
          spellCheck={false}
        />
        <div>
          <button type="submit" className="primary" disabled={!input.trim() || check.isPending} data-testid="token-check">
            {t("webhooks.token.check")}
          </button>
        </div>
      </form>
      {check.error && <ErrorState error={check.error} compact />}
      {check.data && (
        <div data-testid="token-result" data-ok={check.data.ok}>
          <p className={check.data.ok ? "ok-text" : "bad-text"}>
            <strong>{check.data.ok ? t("webhooks.token.valid") : t("webhooks.token.invalid")}</strong>
          </p>
          <CheckList items={check.data.checks.map((c) => ({ key: c.name, ok: c.ok, detail: c.detail }))} />
        </div>
      )}
    </div>
  );
}
