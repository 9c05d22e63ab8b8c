import { useEffect, useState } from "react";

/** The wall clock, re-read every `ms` (a display clock for countdowns; it never calls the shell). */
export function useNow(ms = 30_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(id);
  }, [ms]);
  return now;
}
