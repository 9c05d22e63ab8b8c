import { useTranslation } from "react-i18next";
import { useMarkReady } from "../../app/ready";
import { CredentialsPanel } from "./CredentialsPanel";
import { EnvironmentPanel } from "./EnvironmentPanel";
import { SettingsForm } from "./SettingsForm";

export function SettingsScreen() {
  const { t } = useTranslation();
  useMarkReady(true);
  return (
    <section className="screen" aria-labelledby="settings-title">
      <header className="screen-header">
        <h1 id="settings-title">{t("settings.title")}</h1>
      </header>
      <EnvironmentPanel />
      <CredentialsPanel />
      <SettingsForm />
    </section>
  );
}
