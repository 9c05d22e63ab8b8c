import { useQueryClient } from "@tanstack/react-query";
import { useCallback } from "react";
import { ipc, type AppInfo } from "../ipc";
import { setLanguage, type Lang } from "../i18n";
import { qk } from "./queryKeys";

/**
 * Switches the UI language and asks the shell to remember it. Saving is best effort: the switch
 * itself never waits on it, and a failure only means the next start falls back to this
 * webview's own storage.
 */
export function useSwitchLanguage(): (lang: Lang) => void {
  const client = useQueryClient();
  return useCallback(
    (lang: Lang) => {
      setLanguage(lang);
      client.setQueryData<AppInfo>(qk.appInfo, (info) => (info ? { ...info, locale: lang } : info));
      ipc.localeSave(lang).catch(() => undefined);
    },
    [client],
  );
}
