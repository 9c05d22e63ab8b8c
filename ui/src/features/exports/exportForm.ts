// The export form's values, remembered across visits (localStorage), and the rules between
// them: switching the type proposes that type's default file name in the same folder.
import type { ExportKind } from "../../ipc";
import { defaultExportZone, isIsoDay } from "../../lib/time";
import { useStoredState } from "../../lib/useStoredState";

export type ExportForm = { kind: ExportKind; from: string; to: string; zone: string; path: string };

export const EXPORT_FORM_KEY = "mizan.exports.form";

export function suggestedName(kind: ExportKind, environment: string, from: string, to: string): string {
  const window = from || to ? `-${from || "start"}_${to || "now"}` : "";
  return `mizan-${kind}-${environment}${window}.csv`;
}

/** `path` with its file name replaced by `name` (a bare name when `path` has no folder). */
export function withFileName(path: string, name: string): string {
  const cut = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"));
  return cut < 0 ? name : path.slice(0, cut + 1) + name;
}

/** The form after choosing `kind`: a typed path keeps its folder and gets the new type's name,
 *  so a settlement file is never the default target of an orders export. */
export function switchKind(form: ExportForm, kind: ExportKind, environment: string): ExportForm {
  if (kind === form.kind) return form;
  const path = form.path.trim() ? withFileName(form.path.trim(), suggestedName(kind, environment, form.from, form.to)) : "";
  return { ...form, kind, path };
}

/** Why the window cannot be sent, if it cannot: a day not written as ISO, or a reversed one. */
export function windowProblem(form: ExportForm): "badDay" | "badWindow" | null {
  if ((form.from && !isIsoDay(form.from)) || (form.to && !isIsoDay(form.to))) return "badDay";
  if (form.from && form.to && form.to < form.from) return "badWindow";
  return null;
}

export function useExportForm(): [ExportForm, (f: ExportForm) => void] {
  const initial: ExportForm = { kind: "settlement", from: "", to: "", zone: defaultExportZone(), path: "" };
  return useStoredState<ExportForm>(EXPORT_FORM_KEY, initial, typeof localStorage === "undefined" ? undefined : localStorage);
}
