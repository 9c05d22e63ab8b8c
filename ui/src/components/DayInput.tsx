// A calendar day typed as ISO (`2026-07-12`) in both languages: a native date input shows the
// locale's numeric form (`2026/07/12`, `07/12/2026`), which reads differently per country. The
// day is spelled out beside it (`12 Jul 2026`, Arabic month names) once it is a real day. The
// calendar button opens react-day-picker in a panel anchored to the field (Arabic month names,
// right to left, weeks from Saturday in Arabic); picking a day writes its ISO form. Escape or a
// click outside closes the panel and focus goes back to the button.
import * as RD from "@radix-ui/react-dialog";
import { Suspense, lazy, useState } from "react";
import { useTranslation } from "react-i18next";
import { formatFullDay, isIsoDay } from "../lib/time";

const DayCalendar = lazy(() => import("./DayCalendar"));

type Props = { value: string; onChange: (day: string) => void; testId: string; invalid?: boolean };

/** `2026-07-12` → that day at local midnight (the calendar works in local days). */
function toDate(day: string): Date | undefined {
  if (!isIsoDay(day)) return undefined;
  const [y, m, d] = day.split("-").map(Number) as [number, number, number];
  return new Date(y, m - 1, d);
}

const pad = (n: number) => String(n).padStart(2, "0");
export const isoOf = (d: Date) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;

export function DayInput({ value, onChange, testId, invalid }: Props) {
  const { t, i18n } = useTranslation();
  const [open, setOpen] = useState(false);
  const bad = value !== "" && !isIsoDay(value);
  const arabic = i18n.language === "ar";
  const selected = toDate(value);
  return (
    <span className="day-input">
      <span className="day-input-row">
        <input
          dir="ltr"
          inputMode="numeric"
          placeholder="2026-07-12"
          maxLength={10}
          value={value}
          onChange={(e) => onChange(e.target.value.trim())}
          data-testid={testId}
          aria-invalid={bad || invalid || undefined}
          aria-describedby={`${testId}-shown`}
        />
        <RD.Root open={open} onOpenChange={setOpen} modal={false}>
          <RD.Trigger className="ghost day-input-button" aria-label={t("common.pickDay")} title={t("common.pickDay")} data-testid={`${testId}-calendar-button`}>
            <span aria-hidden="true">📅</span>
          </RD.Trigger>
          <RD.Content
            className="day-popover"
            data-testid={`${testId}-calendar`}
            aria-describedby={undefined}
            // The calendar focuses the chosen day (or today) itself.
            onOpenAutoFocus={(e) => e.preventDefault()}
          >
            <RD.Title className="visually-hidden">{t("common.pickDay")}</RD.Title>
            <Suspense fallback={<span className="muted small">{t("common.loading")}</span>}>
              <DayCalendar
                selected={selected}
                arabic={arabic}
                onPick={(d) => {
                  onChange(isoOf(d));
                  setOpen(false);
                }}
              />
            </Suspense>
          </RD.Content>
        </RD.Root>
      </span>
      <span id={`${testId}-shown`} className="muted small" data-testid={`${testId}-shown`}>
        {isIsoDay(value) ? formatFullDay(value, i18n.language) : ""}
      </span>
    </span>
  );
}
