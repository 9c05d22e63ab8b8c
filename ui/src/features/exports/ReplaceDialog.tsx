// Asks before an export replaces files that exist, naming each one; declining writes nothing.
import { useTranslation } from "react-i18next";
import { Dialog } from "../../components/Dialog";

export function ReplaceDialog({ paths, onReplace, onKeep }: { paths: string[]; onReplace: () => void; onKeep: () => void }) {
  const { t } = useTranslation();
  return (
    <Dialog title={t("exports.replaceTitle")} onClose={onKeep} testId="export-replace-dialog">
      <p>{t("exports.replaceExplain")}</p>
      <ul data-testid="export-replace-files">
        {paths.map((p) => (
          <li key={p} className="mono" dir="ltr">
            {p}
          </li>
        ))}
      </ul>
      <footer className="dialog-footer">
        <button type="button" className="ghost" onClick={onKeep} data-testid="export-replace-keep">
          {t("exports.keep")}
        </button>
        <button type="button" className="danger" onClick={onReplace} data-testid="export-replace-confirm">
          {t("exports.replace")}
        </button>
      </footer>
    </Dialog>
  );
}
