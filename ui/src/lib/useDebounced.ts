import { useEffect, useState } from "react";

/** `value` once it has stopped changing for `ms`; `flush` adopts the current value at once. */
export function useDebounced<T>(value: T, ms: number, key: string = JSON.stringify(value)): [T, () => void] {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const id = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(id);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, ms]);
  return [settled, () => setSettled(value)];
}
