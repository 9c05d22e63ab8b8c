// Credentials per environment, kept in the OS keychain by the shell. The UI only ever sees
// whether each is set and its last four characters; values go in, never come back.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { ipc, type CredentialKindName, type EnvironmentName, type Masked } from "../../ipc";
import { qk } from "../../app/queryKeys";
import { Dialog } from "../../components/Dialog";
import { ErrorState, Loading } from "../../components/States";

const KINDS: CredentialKindName[] = ["api_token", "notification_token", "public_key"];

function MaskedValue({ s }: { s: Masked }) {
  const { t } = useTranslation();
  if (!s.set) return <span className="muted">{t("settings.cred.notSet")}</span>;
  return (
    <span title={s.source}>
      <span className="mono" dir="ltr">
        {s.last4 ? `••••${s.last4}` : "••••"}
      </span>{" "}
      <span className="muted small">({s.source})</span>
    </span>
  );
}

export function CredentialsPanel() {
  const { t } = useTranslation();
  const client = useQueryClient();
  const q = useQuery({ queryKey: qk.credentials, queryFn: () => ipc.credentialsStatus() });
  const [editing, setEditing] = useState<{ env: EnvironmentName; kind: CredentialKindName } | null>(null);
  const [value, setValue] = useState("");
  const set = useMutation({
    // Pasted tokens often carry line breaks or spaces; none belong to a token.
    mutationFn: () => ipc.credentialsSet(editing?.env ?? "sandbox", editing?.kind ?? "api_token", value.replace(/\s+/g, "")),
    onSuccess: (statuses) => {
      setEditing(null);
      setValue("");
      client.setQueryData(qk.credentials, statuses);
    },
  });
  const test = useMutation({ mutationFn: (env: EnvironmentName) => ipc.credentialsTest(env) });
  return (
    <section className="panel" aria-labelledby="cred-title">
      <h2 id="cred-title">{t("settings.cred.title")}</h2>
      <p className="muted">{t("settings.cred.explain")}</p>
      {q.isPending ? (
        <Loading />
      ) : q.error ? (
        <ErrorState error={q.error} onRetry={() => void q.refetch()} />
      ) : (
        <table className="data-table" data-testid="credentials">
          <thead>
            <tr>
              <th>{t("settings.cred.environment")}</th>
              {KINDS.map((k) => (
                <th key={k}>{t(`settings.cred.kind.${k}`)}</th>
              ))}
              <th />
            </tr>
          </thead>
          <tbody>
            {q.data.map((row) => (
              <tr key={row.environment}>
                <td>
                  {row.environment.toUpperCase()}
                  {row.keychain_error && (
                    <div className="field-error small" dir="auto">
                      {t("settings.cred.keychainError")}: {row.keychain_error}
                    </div>
                  )}
                </td>
                {KINDS.map((k) => (
                  <td key={k}>
                    <MaskedValue s={row[k]} />{" "}
                    <button type="button" className="link" onClick={() => setEditing({ env: row.environment, kind: k })}>
                      {t("settings.cred.set")}
                    </button>
                  </td>
                ))}
                <td>
                  <button type="button" className="ghost" onClick={() => test.mutate(row.environment)} disabled={test.isPending}>
                    {t("settings.cred.test")}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {test.error && <ErrorState error={test.error} compact />}
      {test.data && (
        <p className={test.data.ok ? "notice ok-text" : "notice bad-text"} role="status" data-testid="credentials-test">
          {test.data.ok ? t("settings.cred.testOk") : t("settings.cred.testFailed")} {test.data.detail}
        </p>
      )}
      {editing && (
        <Dialog title={t("settings.cred.setTitle", { kind: t(`settings.cred.kind.${editing.kind}`), env: editing.env.toUpperCase() })} onClose={() => setEditing(null)}>
          <form
            className="form"
            onSubmit={(e) => {
              e.preventDefault();
              set.mutate();
            }}
          >
            <label>
              <span>{t(`settings.cred.kind.${editing.kind}`)}</span>
              <input type="password" dir="ltr" autoComplete="off" value={value} onChange={(e) => setValue(e.target.value)} />
            </label>
            <p className="muted small">{t("settings.cred.keychain")}</p>
            <p className="muted small">{t("settings.cred.appliesLater")}</p>
            {set.error && <ErrorState error={set.error} compact />}
            <footer className="dialog-footer">
              <button type="submit" className="primary" disabled={!value.trim() || set.isPending}>
                {t("common.save")}
              </button>
            </footer>
          </form>
        </Dialog>
      )}
    </section>
  );
}
