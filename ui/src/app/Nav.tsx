import { useTranslation } from "react-i18next";
import { SCREENS, hrefFor, shortcutDigit, type Screen } from "./router";

export function Nav({ current }: { current: Screen }) {
  const { t } = useTranslation();
  return (
    <nav className="nav" aria-label={t("nav.label")}>
      {SCREENS.map((s, i) => (
        <a
          key={s}
          href={hrefFor({ screen: s })}
          data-testid={`nav-${s}`}
          aria-current={current === s ? "page" : undefined}
          title={shortcutDigit(i) ? t("nav.shortcut", { key: shortcutDigit(i) }) : undefined}
        >
          {t(`nav.${s}`)}
        </a>
      ))}
    </nav>
  );
}
