// Which Tamara environment the console talks to. Switching always asks; switching to production
// asks the operator to type PRODUCTION.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { ipc, type EnvironmentName } from "../../ipc";
import { qk } from "../../app/queryKeys";
import { Dialog } from "../../components/Dialog";
import { ErrorState } from "../../components/States";

export const PRODUCTION_WORD = "PRODUCTION";

export function EnvironmentPanel() {
  const { t } = useTranslation();
  const client = useQueryClient();
  const info = useQuery({ queryKey: qk.appInfo, queryFn: () => ipc.appInfo() });
  const credentials = useQuery({ queryKey: qk.credentials, queryFn: () => ipc.credentialsStatus() });
  const productionToken = credentials.data?.find((c) => c.environment === "production")?.api_token.set;
  const [target, setTarget] = useState<EnvironmentName | null>(null);
  const [typed, setTyped] = useState("");
  const switchEnv = useMutation({
    mutationFn: (env: EnvironmentName) => ipc.switchEnvironment(env, env === "production" ? typed.trim() : null),
    onSuccess: (next) => {
      // Nothing cached from the other environment may stay on screen.
      client.removeQueries({ predicate: (q) => q.queryKey[0] !== qk.appInfo[0] });
      client.setQueryData(qk.appInfo, next);
      setTarget(null);
      setTyped("");
    },
  });
  if (!info.data) return null;
  const current = info.data.environment;
  const other: EnvironmentName = current === "production" ? "sandbox" : "production";
  const close = () => {
    setTarget(null);
    setTyped("");
    switchEnv.reset();
  };
  return (
    <section className="panel" aria-labelledby="env-title">
      <h2 id="env-title">{t("settings.env.title")}</h2>
      <p>
        {t("settings.env.current")} <strong data-testid="settings-environment">{current.toUpperCase()}</strong>
        {info.data.demo && <span className="badge tone-warn">{t("settings.env.demo")}</span>}
      </p>
      {info.data.demo && <p className="muted">{t("settings.env.demoExplain")}</p>}
      <dl className="facts">
        <dt>{t("settings.env.api")}</dt>
        <dd className="mono" dir="ltr">
          {info.data.api_url}
        </dd>
        <dt>{t("settings.env.receiver")}</dt>
        <dd className="mono" dir="ltr">
          {info.data.receiver_url || "—"}
          {info.data.receiver_error && (
            <div className="field-error" dir="auto" data-testid="receiver-error">
              {info.data.receiver_error}
            </div>
          )}
        </dd>
        <dt>{t("settings.env.dataDir")}</dt>
        <dd className="mono" dir="ltr">
          {info.data.data_dir}
        </dd>
        <dt>{t("settings.env.version")}</dt>
        <dd className="mono">{info.data.version}</dd>
      </dl>
      <button type="button" className={other === "production" ? "danger" : "primary"} onClick={() => setTarget(other)} data-testid="env-switch">
        {t(`settings.env.switchTo.${other}`)}
      </button>
      {target && (
        <Dialog title={t(`settings.env.switchTo.${target}`)} onClose={close} testId="env-switch-dialog">
          <form
            className="form"
            onSubmit={(e) => {
              e.preventDefault();
              switchEnv.mutate(target);
            }}
          >
            <p>{t(`settings.env.confirm.${target}`)}</p>
            {target === "production" && productionToken === false && (
              <p className="notice danger-text" role="alert" data-testid="env-no-token">
                {t("settings.env.noProductionToken")}
              </p>
            )}
            {target === "production" && (
              <label>
                <span>{t("settings.env.typeWord", { word: PRODUCTION_WORD })}</span>
                <input dir="ltr" autoComplete="off" value={typed} onChange={(e) => setTyped(e.target.value)} data-testid="env-confirm-text" />
              </label>
            )}
            {switchEnv.error && <ErrorState error={switchEnv.error} compact />}
            <footer className="dialog-footer">
              <button type="button" className="ghost" onClick={close}>
                {t("common.close")}
              </button>
              <button
                type="submit"
                className={target === "production" ? "danger" : "primary"}
                disabled={switchEnv.isPending || (target === "production" && typed.trim() !== PRODUCTION_WORD)}
                data-testid="env-confirm"
              >
                {t("settings.env.confirmButton")}
              </button>
            </footer>
          </form>
        </Dialog>
      )}
    </section>
  );
}
