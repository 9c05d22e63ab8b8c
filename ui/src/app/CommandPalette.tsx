// Ctrl/Cmd+K: every main action by name, filtered as you type, run with Enter (cmdk inside a
// Radix dialog: arrow keys, Escape, focus back on close). `dynamic` adds commands made from what
// was typed (go to the order with that id or reference), and the orders search offers the
// orders whose reference, id or customer matches.
import * as RD from "@radix-ui/react-dialog";
import { Command as Cmdk } from "cmdk";
import { useMemo, useState, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { useOrderLookup } from "./orderLookup";

export type Command = { id: string; label: string; hint?: string; content?: ReactNode; run: () => void };

/** Commands whose label (or id) holds every typed word, in any order. */
export function matching(commands: Command[], text: string): Command[] {
  const words = text.toLowerCase().split(/\s+/).filter(Boolean);
  return commands.filter((c) => words.every((w) => `${c.label} ${c.id}`.toLowerCase().includes(w)));
}

export function CommandPalette({ commands, dynamic, onClose }: { commands: Command[]; dynamic?: (text: string) => Command[]; onClose: () => void }) {
  const { t } = useTranslation();
  const [text, setText] = useState("");
  const hits = useOrderLookup(text.trim());
  const shown = useMemo(() => {
    const typed = text.trim().toLowerCase();
    // A found order whose id or reference is exactly what was typed makes the blind "go to" redundant.
    const exact = hits.some((h) => h.exact);
    const extra = exact ? [] : (dynamic?.(text.trim()) ?? []);
    return [...matching(commands, typed), ...hits.map((h) => h.command), ...extra];
  }, [commands, dynamic, hits, text]);
  const run = (c: Command) => {
    onClose();
    c.run();
  };
  return (
    <RD.Root open onOpenChange={(open) => !open && onClose()}>
      <RD.Portal>
        <RD.Overlay className="backdrop palette-backdrop">
          <RD.Content className="palette" data-testid="command-palette" aria-describedby={undefined}>
            <RD.Title className="visually-hidden">{t("palette.title")}</RD.Title>
            <Cmdk label={t("palette.title")} shouldFilter={false} loop>
              <Cmdk.Input autoFocus placeholder={t("palette.placeholder")} value={text} onValueChange={setText} />
              <Cmdk.List>
                <Cmdk.Empty className="muted palette-empty">{t("palette.none")}</Cmdk.Empty>
                {shown.map((c) => (
                  <Cmdk.Item key={c.id} value={c.id} onSelect={() => run(c)} data-testid={`palette-${c.id}`}>
                    <span>{c.content ?? c.label}</span>
                    {c.hint && <kbd>{c.hint}</kbd>}
                  </Cmdk.Item>
                ))}
              </Cmdk.List>
            </Cmdk>
          </RD.Content>
        </RD.Overlay>
      </RD.Portal>
    </RD.Root>
  );
}
