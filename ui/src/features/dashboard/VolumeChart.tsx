// Captured and refunded volume per day for one currency, as plain SVG. Bar heights come from
// exact ratios of the decimal strings (lib/money `fraction`), labels are the strings themselves:
// no chart library would let us keep amounts out of floating point, and a few dozen bars do not
// need one. In Arabic the time axis runs right to left.
import { useTranslation } from "react-i18next";
import type { VolumeDay } from "../../ipc";
import { fraction, groupThousands, maxAmount } from "../../lib/money";
import { formatDay } from "../../lib/time";

const H = 180;
const PAD_TOP = 16;
const PAD_BOTTOM = 24;
const BAR = 10;
const GAP = 2;
const SLOT = BAR * 2 + GAP + 12;

export function VolumeChart({ days, currency }: { days: VolumeDay[]; currency: string }) {
  const { t, i18n } = useTranslation();
  const rtl = i18n.language === "ar";
  const rows = days.filter((d) => d.currency === currency).sort((a, b) => a.day.localeCompare(b.day));
  const top = maxAmount(rows.flatMap((d) => [d.captured, d.refunded]));
  const width = Math.max(rows.length * SLOT + 24, 240);
  const plot = H - PAD_TOP - PAD_BOTTOM;
  const x = (i: number) => (rtl ? width - 12 - (i + 1) * SLOT : 12 + i * SLOT);
  return (
    <figure className="chart" data-testid="volume-chart">
      <figcaption className="chart-legend">
        <span className="legend captured">{t("dashboard.captured")}</span>
        <span className="legend refunded">{t("dashboard.refunded")}</span>
        <span className="muted small">
          {t("dashboard.max")} <bdi dir="ltr">{groupThousands(top)} {currency}</bdi>
        </span>
      </figcaption>
      <div className="chart-scroll">
        <svg width={width} height={H} role="img" aria-label={t("dashboard.chartLabel", { currency })}>
          <line x1={0} x2={width} y1={H - PAD_BOTTOM} y2={H - PAD_BOTTOM} className="axis" />
          {rows.map((d, i) => {
            const hc = fraction(d.captured, top) * plot;
            const hr = fraction(d.refunded, top) * plot;
            const base = H - PAD_BOTTOM;
            return (
              <g key={d.day} data-testid="volume-day" data-day={d.day}>
                <rect className="bar captured" x={x(i)} y={base - hc} width={BAR} height={hc} data-amount={d.captured}>
                  <title>{`${d.day} · ${t("dashboard.captured")} ${groupThousands(d.captured)} ${currency}`}</title>
                </rect>
                <rect className="bar refunded" x={x(i) + BAR + GAP} y={base - hr} width={BAR} height={hr} data-amount={d.refunded}>
                  <title>{`${d.day} · ${t("dashboard.refunded")} ${groupThousands(d.refunded)} ${currency}`}</title>
                </rect>
                {(rows.length <= 14 || i % Math.ceil(rows.length / 14) === 0) && (
                  <text x={x(i) + BAR} y={H - 6} textAnchor="middle" className="tick">
                    {formatDay(d.day, i18n.language)}
                  </text>
                )}
              </g>
            );
          })}
        </svg>
      </div>
    </figure>
  );
}
