// Webhooks: registrations at Tamara, the receiver's delivery history, the token tester and the
// end-to-end self-test.
import { useTranslation } from "react-i18next";
import { useMarkReady } from "../../app/ready";
import { useStoredState } from "../../lib/useStoredState";
import { Deliveries } from "./Deliveries";
import { Registrations } from "./Registrations";
import { SelfTest } from "./SelfTest";
import { TokenTester } from "./TokenTester";

const TABS = ["deliveries", "registrations", "token", "selftest"] as const;
type Tab = (typeof TABS)[number];

export function WebhooksScreen() {
  const { t } = useTranslation();
  const [tab, setTab] = useStoredState<Tab>("mizan.webhooks.tab", "deliveries", sessionStorage);
  useMarkReady(true);
  return (
    <section className="screen" aria-labelledby="webhooks-title">
      <header className="screen-header">
        <h1 id="webhooks-title">{t("webhooks.title")}</h1>
        <div className="tabs" role="tablist">
          {TABS.map((k) => (
            <button key={k} type="button" role="tab" aria-selected={tab === k} data-testid={`webhooks-tab-${k}`} onClick={() => setTab(k)}>
              {t(`webhooks.tab.${k}`)}
            </button>
          ))}
        </div>
      </header>
      {tab === "deliveries" && <Deliveries />}
      {tab === "registrations" && <Registrations />}
      {tab === "token" && <TokenTester />}
      {tab === "selftest" && <SelfTest />}
    </section>
  );
}
