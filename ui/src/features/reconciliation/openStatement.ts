// Which statement the reconciliation screen shows, kept for the session: coming back from an
// order's screen lands on it again, and the order's screen can open the statement that settled it.
import { navigate } from "../../app/router";

export const OPEN_STATEMENT_KEY = "mizan.reconciliation.open";

/** Opens statement `id` (its row id) on the reconciliation screen. */
export function openStatement(id: number): void {
  try {
    sessionStorage.setItem(OPEN_STATEMENT_KEY, JSON.stringify(id));
  } catch {
    // No storage: the screen opens on the list.
  }
  navigate({ screen: "reconciliation" });
}
