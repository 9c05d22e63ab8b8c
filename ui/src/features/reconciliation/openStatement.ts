// Which statement and which tab the reconciliation screen shows, kept for the session: coming
// back from an order's screen lands on them again, and the order's screen can open the statement
// that settled it.
import { navigate } from "../../app/router";

export const OPEN_STATEMENT_KEY = "mizan.reconciliation.open";
export const RECON_TAB_KEY = "mizan.reconciliation.tab";
export const RECON_TABS = ["statements", "payouts", "month"] as const;
export type ReconTab = (typeof RECON_TABS)[number];

/** Opens statement `id` (its row id) on the reconciliation screen's statements tab. */
export function openStatement(id: number): void {
  try {
    sessionStorage.setItem(OPEN_STATEMENT_KEY, JSON.stringify(id));
    sessionStorage.setItem(RECON_TAB_KEY, JSON.stringify("statements"));
  } catch {
    // No storage: the screen opens on the list.
  }
  navigate({ screen: "reconciliation" });
}
