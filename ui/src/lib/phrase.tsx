// The core's prose as codes (`Phrase`): translated here, in both languages. Parameters that are
// closed sets (statuses, verdicts, move kinds…) are translated too; the others are data (ids,
// amounts, references, names, the gateway's own words) and are shown as sent, each in a
// `<bdi data-raw>` so it keeps its direction inside an Arabic sentence.
import type { TFunction } from "i18next";
import { Fragment, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import type { Phrase, PhraseCode } from "../ipc";
import { formatDateTime } from "./time";

/** Where a closed-set parameter's translations live. */
const CODE_KEYS: Record<string, string> = {
  status: "status",
  from: "status",
  to: "status",
  verdict: "verdict",
  processing: "processing",
  move_kind: "phrase.moveKind",
  move_state: "phrase.moveState",
  source: "phrase.source",
};

/** A parameter some sentences may lack: then the `_without` variant is used. */
const OPTIONAL: Partial<Record<PhraseCode, string>> = {
  webhook_received: "event",
  status_changed: "from",
  delivery_unprocessed: "event",
};

const MARK = "\u0001";

/** The phrase as React nodes: translated text with each data parameter in a raw `<bdi>`. */
export function renderPhrase(p: Phrase, t: TFunction, lang: string): ReactNode {
  const raw: string[] = [];
  const values: Record<string, string> = {};
  for (const [name, value] of Object.entries(p.params)) {
    const base = CODE_KEYS[name];
    if (base) {
      values[name] = t(`${base}.${value}`, { defaultValue: value });
    } else {
      values[name] = `${MARK}${raw.length}${MARK}`;
      raw.push(name === "at" ? formatDateTime(value, lang) : value);
    }
  }
  const optional = OPTIONAL[p.code];
  const key = optional && !(optional in p.params) ? `phrase.${p.code}_without` : `phrase.${p.code}`;
  const text = t(key, { ...values, interpolation: { escapeValue: false } });
  return text.split(MARK).map((part, i) =>
    i % 2 === 1 ? (
      <bdi key={i} className="mono" data-raw="">
        {raw[Number(part)]}
      </bdi>
    ) : (
      <Fragment key={i}>{part}</Fragment>
    ),
  );
}

/** One phrase, or several joined as a list ("; " / "؛ "). */
export function PhraseText({ phrases }: { phrases: Phrase | Phrase[] | undefined }) {
  const { t, i18n } = useTranslation();
  const list = phrases === undefined ? [] : Array.isArray(phrases) ? phrases : [phrases];
  return (
    <>
      {list.map((p, i) => (
        <Fragment key={i}>
          {i > 0 && t("phrase.separator")}
          {renderPhrase(p, t, i18n.language)}
        </Fragment>
      ))}
    </>
  );
}
