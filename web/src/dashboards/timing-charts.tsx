/**
 * Medians of time to detect, assess and declare per UTC month, one bar per source kind, and
 * time to notify next to the deadline's length. Hours on the axis; the table holds the text.
 */
import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { useChartColors } from './chart-colors.ts';
import { ChartFrame } from './chart-frame.tsx';
import { hours, words } from './format.ts';
import type { Measure, TimingReport } from './types.ts';

const TITLES: Record<Measure, string> = {
  detect: 'Time to detect (first signal → opened)',
  assess: 'Time to assess (opened → first rating)',
  declare: 'Time to declare (opened → CRSI declared)',
};

const HEIGHT = 260;

/** Every month from the first to the last given, so that a quiet month shows as a gap. */
export function monthsSpanned(months: readonly string[]): string[] {
  const first = months[0];
  const last = months.at(-1);
  if (first === undefined || last === undefined) return [];
  const out: string[] = [];
  const [y = 0, m = 1] = first.split('-').map(Number);
  for (let i = 0; out.length < 240; i++) {
    const month = new Date(Date.UTC(y, m - 1 + i, 1)).toISOString().slice(0, 7);
    out.push(month);
    if (month >= last) break;
  }
  return out;
}

export function MeasureChart({ report, measure }: { report: TimingReport; measure: Measure }) {
  const colors = useChartColors();
  const data = monthsSpanned(report.months).map((month) => {
    const row: Record<string, string | number | null> = { month };
    for (const g of report.groups.filter((x) => x.month === month)) {
      row[g.sourceKind] = hours(g[measure].medianSeconds);
    }
    return row;
  });

  return (
    <ChartFrame
      title={TITLES[measure]}
      label={
        `${TITLES[measure]}: median hours per month, one bar per source kind. ` +
        'Every figure is in the table "Timings by source kind and month".'
      }
      chart={
        <ResponsiveContainer width="100%" height={HEIGHT}>
          <BarChart data={data} accessibilityLayer={false}>
            <CartesianGrid stroke={colors.grid} strokeDasharray="3 3" />
            <XAxis dataKey="month" stroke={colors.text} tick={{ fill: colors.text }} />
            <YAxis stroke={colors.text} tick={{ fill: colors.text }} unit=" h" width={56} />
            <Tooltip />
            <Legend formatter={(value: string) => words(value)} />
            {report.sourceKinds.map((kind, i) => (
              <Bar
                isAnimationActive={false}
                key={kind}
                dataKey={kind}
                name={kind}
                fill={colors.series[i % 6]}
              />
            ))}
          </BarChart>
        </ResponsiveContainer>
      }
    />
  );
}

export function NotifyChart({ report }: { report: TimingReport }) {
  const colors = useChartColors();
  const data = report.groups
    .filter((g) => g.notify.count > 0 || g.notify.deadlineMedianSeconds !== null)
    .map((g) => ({
      label: `${g.month} ${words(g.sourceKind)}`,
      taken: hours(g.notify.medianSeconds),
      deadline: hours(g.notify.deadlineMedianSeconds),
    }));

  const title = 'Time to notify tenants vs deadline (awareness → first delivery)';
  return (
    <ChartFrame
      title={title}
      label={
        `${title}: median hours taken next to the median deadline, per month and ` +
        'source kind. Deadlines met and missed are in the table "Timings by source kind and month".'
      }
      chart={
        data.length === 0 ? (
          <p className="muted">No tenant notification in this period.</p>
        ) : (
          <ResponsiveContainer width="100%" height={HEIGHT}>
            <BarChart data={data} accessibilityLayer={false}>
              <CartesianGrid stroke={colors.grid} strokeDasharray="3 3" />
              <XAxis dataKey="label" stroke={colors.text} tick={{ fill: colors.text }} />
              <YAxis stroke={colors.text} tick={{ fill: colors.text }} unit=" h" width={56} />
              <Tooltip />
              <Legend />
              <Bar
                isAnimationActive={false}
                dataKey="taken"
                name="time to notify (median)"
                fill={colors.series[0]}
              />
              <Bar
                isAnimationActive={false}
                dataKey="deadline"
                name="deadline (median)"
                fill={colors.series[2]}
              />
            </BarChart>
          </ResponsiveContainer>
        )
      }
    />
  );
}
