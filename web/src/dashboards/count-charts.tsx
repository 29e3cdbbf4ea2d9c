/**
 * Investigations by classification, and the false-positive rate per source kind: each a bar
 * chart with the same figures in a table beside it.
 */
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useChartColors } from './chart-colors.ts';
import { ChartFrame } from './chart-frame.tsx';
import { ScrollRegion } from './scroll-region.tsx';
import { percent, words } from './format.ts';
import type { FalsePositiveReport, TimingReport } from './types.ts';

const HEIGHT = 240;

export function ClassificationChart({ report }: { report: TimingReport }) {
  const colors = useChartColors();
  const data = report.byClassification.map((c) => ({ ...c, name: words(c.classification) }));
  return (
    <ChartFrame
      title="Investigations by classification"
      label={
        'Investigations opened in the period per classification; ' +
        'the counts are in the table below.'
      }
      chart={
        <ResponsiveContainer width="100%" height={HEIGHT}>
          <BarChart data={data} accessibilityLayer={false}>
            <CartesianGrid stroke={colors.grid} strokeDasharray="3 3" />
            <XAxis dataKey="name" stroke={colors.text} tick={{ fill: colors.text }} />
            <YAxis stroke={colors.text} tick={{ fill: colors.text }} allowDecimals={false} />
            <Tooltip />
            <Bar
              isAnimationActive={false}
              dataKey="count"
              name="investigations"
              fill={colors.series[1]}
            />
          </BarChart>
        </ResponsiveContainer>
      }
    >
      <ScrollRegion label="Investigations by classification, table">
        <table className="compact">
          <caption className="visually-hidden">Investigations by classification</caption>
          <thead>
            <tr>
              <th scope="col">Classification</th>
              <th scope="col">Investigations</th>
            </tr>
          </thead>
          <tbody>
            {data.map((c) => (
              <tr key={c.classification}>
                <th scope="row">{c.name}</th>
                <td>{c.count}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollRegion>
    </ChartFrame>
  );
}

export function FalsePositiveChart({ report }: { report: FalsePositiveReport }) {
  const colors = useChartColors();
  const data = report.bySourceKind.map((k) => ({
    ...k,
    name: words(k.sourceKind),
    percent: Math.round(k.rate * 1000) / 10,
  }));
  return (
    <ChartFrame
      title="False-positive rate per source kind (all time)"
      label={
        'Share of investigations classified false positive, per source kind; ' +
        'the rates and counts are in the table below.'
      }
      chart={
        <ResponsiveContainer width="100%" height={HEIGHT}>
          <BarChart data={data} accessibilityLayer={false}>
            <CartesianGrid stroke={colors.grid} strokeDasharray="3 3" />
            <XAxis dataKey="name" stroke={colors.text} tick={{ fill: colors.text }} />
            <YAxis stroke={colors.text} tick={{ fill: colors.text }} unit=" %" domain={[0, 100]} />
            <Tooltip />
            <Bar
              isAnimationActive={false}
              dataKey="percent"
              name="false positives (%)"
              fill={colors.series[3]}
            />
          </BarChart>
        </ResponsiveContainer>
      }
    >
      <ScrollRegion label="False-positive rate per source kind, table">
        <table className="compact">
          <caption className="visually-hidden">False-positive rate per source kind</caption>
          <thead>
            <tr>
              <th scope="col">Source kind</th>
              <th scope="col">Opened</th>
              <th scope="col">False positives</th>
              <th scope="col">Rate</th>
              <th scope="col">Signals suppressed</th>
            </tr>
          </thead>
          <tbody>
            {data.map((k) => (
              <tr key={k.sourceKind}>
                <th scope="row">{k.name}</th>
                <td>{k.opened}</td>
                <td>{k.falsePositives}</td>
                <td>{percent(k.rate)}</td>
                <td>{k.suppressedSignals}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollRegion>
    </ChartFrame>
  );
}
