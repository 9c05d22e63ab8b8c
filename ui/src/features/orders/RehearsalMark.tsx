// The mark of an order the go-live checklist's rehearsal made (reference `REHEARSE-…`).
import { useTranslation } from "react-i18next";

export function RehearsalMark() {
  const { t } = useTranslation();
  return (
    <span className="badge rehearsal-mark" data-testid="rehearsal-mark" title={t("orders.rehearsalHint")}>
      {t("orders.rehearsal")}
    </span>
  );
}
