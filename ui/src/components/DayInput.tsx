// A calendar day typed as ISO (`2026-07-12`) in both languages: a native date input shows the
// locale's numeric form (`2026/07/12`, `07/12/2026`), which reads differently per country. The
// day is spelled out beside it (`12 Jul 2026`, Arabic month names) once it is a real day.
import { useTranslation } from "react-i18next";
import { formatFullDay, isIsoDay } from "../lib/time";

type Props = { value: string; onChange: (day: string) => void; testId: string; invalid?: boolean };

export function DayInput({ value, onChange, testId, invalid }: Props) {
  const { i18n } = useTranslation();
  const bad = value !== "" && !isIsoDay(value);
  return (
    <span className="day-input">
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
      <span id={`${testId}-shown`} className="muted small" data-testid={`${testId}-shown`}>
        {isIsoDay(value) ? formatFullDay(value, i18n.language) : ""}
      </span>
    </span>
  );
}
