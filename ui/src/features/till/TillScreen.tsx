// The In store screen: what store staff do at the till (start a sale, void it while unpaid) and
// what a developer asks before a sale (payment types, the pre-check, the ID check).
import { useTranslation } from "react-i18next";
import { useMarkReady } from "../../app/ready";
import { TillOffers } from "./TillOffers";
import { TillSale } from "./TillSale";

export function TillScreen() {
  const { t } = useTranslation();
  useMarkReady(true);
  return (
    <section className="screen" aria-labelledby="till-title">
      <header className="screen-header">
        <h1 id="till-title">{t("till.title")}</h1>
      </header>
      <TillSale />
      <TillOffers />
    </section>
  );
}
