// The command palette asks the open order screen to start a money move: a window event, so the
// palette needs no handle on the screen. The screen opens the dialog only if the move is allowed.
import { useEffect } from "react";
import type { MoveKind } from "../../ipc";

const EVENT = "mizan:open-move";

export function requestMove(kind: MoveKind): void {
  window.dispatchEvent(new CustomEvent<MoveKind>(EVENT, { detail: kind }));
}

/** Calls `open` with each requested move while mounted. */
export function useMoveRequests(open: (kind: MoveKind) => void): void {
  useEffect(() => {
    const on = (e: Event) => open((e as CustomEvent<MoveKind>).detail);
    window.addEventListener(EVENT, on);
    return () => window.removeEventListener(EVENT, on);
  }, [open]);
}
