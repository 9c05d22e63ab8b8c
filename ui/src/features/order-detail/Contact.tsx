// The customer's contact in the order header: name, phone (a tel: link) and email (a mailto:
// link), as Tamara's order details carry them.
import { useTranslation } from "react-i18next";
import type { OrderRow } from "../../ipc";

export function Contact({ order }: { order: OrderRow }) {
  const { t } = useTranslation();
  const { customer, phone, email } = order;
  if (!customer && !phone && !email) {
    return (
      <p className="muted contact" data-testid="order-contact">
        {t("detail.noContact")}
      </p>
    );
  }
  return (
    <dl className="contact" data-testid="order-contact" aria-label={t("detail.contact")}>
      {customer && (
        <div>
          <dt className="visually-hidden">{t("orders.col.customer")}</dt>
          <dd data-testid="contact-name" dir="auto">
            {customer}
          </dd>
        </div>
      )}
      {phone && (
        <div>
          <dt className="visually-hidden">{t("orders.col.phone")}</dt>
          <dd>
            <a href={`tel:${phone.replace(/[^\d+]/g, "")}`} dir="ltr" data-testid="contact-phone">
              {phone}
            </a>
          </dd>
        </div>
      )}
      {email && (
        <div>
          <dt className="visually-hidden">{t("orders.col.email")}</dt>
          <dd>
            <a href={`mailto:${email}`} dir="ltr" data-testid="contact-email">
              {email}
            </a>
          </dd>
        </div>
      )}
    </dl>
  );
}
