// `app-ready` goes on the root once the first screen shows real data (or a real error), not
// when the chrome is drawn: the e2e tests and the start-up benchmark wait on it.
import { createContext, useContext, useEffect } from "react";

export const ReadyContext = createContext<() => void>(() => undefined);

export function useMarkReady(when: boolean): void {
  const mark = useContext(ReadyContext);
  useEffect(() => {
    if (when) mark();
  }, [when, mark]);
}
