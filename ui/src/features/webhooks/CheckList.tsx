/** Pass/fail lines (token checks, self-test findings, rehearsal steps). */
export function CheckList({ items }: { items: { key: string; ok: boolean; detail: string }[] }) {
  return (
    <ul className="checks">
      {items.map((c, i) => (
        <li key={`${c.key}-${i}`} className={c.ok ? "check-ok" : "check-bad"} data-ok={c.ok}>
          <span className="check-mark" aria-hidden="true">
            {c.ok ? "✓" : "✗"}
          </span>
          <span className="mono">{c.key}</span>
          <span className="muted" dir="auto">
            {c.detail}
          </span>
        </li>
      ))}
    </ul>
  );
}
