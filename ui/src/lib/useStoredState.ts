import { useCallback, useState } from "react";

/** The value stored under `key`, or `initial` when there is none or it cannot be read. */
export function readStored<T>(key: string, initial: T, storage: Storage | undefined): T {
  try {
    const raw = storage?.getItem(key);
    return raw ? (JSON.parse(raw) as T) : initial;
  } catch {
    return initial;
  }
}

/** `useState` mirrored into web storage (falls back to memory when storage is unavailable). */
export function useStoredState<T>(key: string, initial: T, storage: Storage | undefined): [T, (v: T) => void] {
  const [value, setValue] = useState<T>(() => readStored(key, initial, storage));
  const set = useCallback(
    (v: T) => {
      setValue(v);
      try {
        storage?.setItem(key, JSON.stringify(v));
      } catch {
        // Storage full or blocked: the value still holds for this session.
      }
    },
    [key, storage],
  );
  return [value, set];
}
