// The core's messages are written for the CLI too: some name a flag (`(--comment TEXT)`) or a
// command to run (`run \`mizan orders fetch …\``). Beside a button that does it, that text is
// wrong, so the GUI shows a message without those parts, or none when nothing is left.

/** `message` without CLI flags or commands; "" when nothing GUI-worthy is left. */
export function guiMessage(message: string): string {
  let m = message
    // "(--comment TEXT)", "(see `mizan …`)"
    .replace(/\s*\([^)]*(--[a-z]|`mizan)[^)]*\)/g, "")
    // "; run `mizan credentials set --env x` or set X", ": run …", ", run …" up to the end
    .replace(/[;:,]?\s*(run|store [^;]*? with|use)\s+`mizan[^]*$/i, "")
    .trim();
  // Anything still naming a flag or a command reads as CLI help: leave it to the translation.
  if (/(^|\s)--[a-z]/.test(m) || /`mizan\b/.test(m)) m = "";
  return m;
}
