// A money move started from a list row: reads the order (the same query the order screen uses)
// and opens the order screen's own move dialog for it, so every guard and preview is the same.
import { useQuery } from "@tanstack/react-query";
import { ipc, type MoveKind } from "../../ipc";
import { qk } from "../../app/queryKeys";
import { ErrorState, Loading } from "../../components/States";
import { MoveDialog } from "../order-detail/MoveDialog";

export function RowMoveDialog({ orderId, kind, onClose }: { orderId: string; kind: MoveKind; onClose: () => void }) {
  const q = useQuery({ queryKey: qk.order(orderId), queryFn: () => ipc.orderDetail(orderId) });
  if (q.isPending) return <Loading />;
  if (q.error) return <ErrorState error={q.error} onRetry={() => void q.refetch()} compact />;
  return <MoveDialog kind={kind} detail={q.data} onClose={onClose} />;
}
