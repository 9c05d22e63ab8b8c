// The calendar of DayInput, loaded when first opened (react-day-picker and its date library stay
// out of the first screen's script): the UI language's month names, right to left and weeks
// from Saturday in Arabic, Latin digits like the ISO field beside it.
import { DayPicker } from "react-day-picker";
import { ar, enUS } from "react-day-picker/locale";
import "react-day-picker/style.css";

export default function DayCalendar({ selected, arabic, onPick }: { selected: Date | undefined; arabic: boolean; onPick: (d: Date) => void }) {
  return (
    <DayPicker
      mode="single"
      autoFocus
      selected={selected}
      defaultMonth={selected}
      onSelect={(d) => d && onPick(d)}
      locale={arabic ? ar : enUS}
      dir={arabic ? "rtl" : "ltr"}
      weekStartsOn={arabic ? 6 : 0}
      numerals="latn"
    />
  );
}
