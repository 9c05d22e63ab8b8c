// Ctrl/Cmd+K: every main action by name, filtered as you type, run with Enter; `dynamic` adds
// commands made from what was typed (go to the order with that id or reference).
import { useMemo, useState } from "react";
import { useTranslation } from "react-i18next";

export type Command = { id: string; label: string; hint?: string; run: () => void };

export function CommandPalette({ commands, dynamic, onClose }: { commands: Command[]; dynamic?: (text: string) => Command[]; onClose: () => void }) {
  const { t } = useTranslation();
  const [text, setText] = useState("");
  const [active, setActive] = useState(0);
  const shown = useMemo(() => {
    const words = text.toLowerCase().split(/\s+/).filter(Boolean);
    const matching = commands.filter((c) => words.every((w) => `${c.label} ${c.id}`.toLowerCase().includes(w)));
    return [...matching, ...(dynamic?.(text.trim()) ?? [])];
  }, [commands, dynamic, text]);
  const run = (c: Command | undefined) => {
    if (!c) return;
    onClose();
    c.run();
  };
  return (
    <div className="backdrop palette-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div className="palette" role="dialog" aria-modal="true" aria-label={t("palette.title")} data-testid="command-palette">
        <input
          autoFocus
          role="combobox"
          aria-expanded="true"
          aria-controls="palette-list"
          aria-activedescendant={shown[active] ? `palette-${shown[active].id}` : undefined}
          placeholder={t("palette.placeholder")}
          value={text}
          onChange={(e) => {
            setText(e.target.value);
            setActive(0);
          }}
          onKeyDown={(e) => {
            if (e.key === "Escape") onClose();
            else if (e.key === "ArrowDown") {
              e.preventDefault();
              setActive((a) => Math.min(a + 1, shown.length - 1));
            } else if (e.key === "ArrowUp") {
              e.preventDefault();
              setActive((a) => Math.max(a - 1, 0));
            } else if (e.key === "Enter") {
              e.preventDefault();
              run(shown[active]);
            }
          }}
        />
        <ul id="palette-list" role="listbox">
          {shown.length === 0 && <li className="muted palette-empty">{t("palette.none")}</li>}
          {shown.map((c, i) => (
            <li
              key={c.id}
              id={`palette-${c.id}`}
              role="option"
              aria-selected={i === active}
              onMouseEnter={() => setActive(i)}
              onClick={() => run(c)}
            >
              <span>{c.label}</span>
              {c.hint && <kbd>{c.hint}</kbd>}
            </li>
          ))}
        </ul>
      </div>
    </div>
  );
}
