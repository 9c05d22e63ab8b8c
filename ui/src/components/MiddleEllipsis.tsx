// A long identifier shortened in the middle, never at the end, so two references that differ
// only in their last characters never look identical; the full value is the tooltip and what
// assistive technology reads.
export const KEEP_START = 12;
export const KEEP_END = 8;

/** `text` with its middle replaced by "…" when longer than `start + end + 1` characters. */
export function middleEllipsis(text: string, start = KEEP_START, end = KEEP_END): string {
  const chars = [...text];
  if (chars.length <= start + end + 1) return text;
  return `${chars.slice(0, start).join("")}…${chars.slice(chars.length - end).join("")}`;
}

export function MiddleEllipsis({ text, className, testId }: { text: string; className?: string; testId?: string }) {
  const short = middleEllipsis(text);
  return (
    <bdi dir="ltr" className={className} title={text} aria-label={short === text ? undefined : text} data-testid={testId} data-full={text}>
      {short}
    </bdi>
  );
}
