/**
 * Dashboards (issue 6.5): how fast the team detects, assesses, declares and notifies, per
 * source kind and UTC month; counts by classification; false-positive rate per source kind.
 * Each chart has its figures in a table for screen readers and for reading exact values.
 */
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, query } from '../api.ts';
import { ErrorNote } from '../components/error-note.tsx';
import { ClassificationChart, FalsePositiveChart } from '../dashboards/count-charts.tsx';
import { type Period, PeriodForm } from '../dashboards/period-form.tsx';
import { MeasureChart, NotifyChart } from '../dashboards/timing-charts.tsx';
import { TimingTable } from '../dashboards/timing-table.tsx';
import type { FalsePositiveReport, TimingReport } from '../dashboards/types.ts';

function day(iso: string): string {
  return iso.slice(0, 10);
}

export function Dashboards() {
  const [period, setPeriod] = useState<Period>({});
  const timings = useQuery({
    queryKey: ['timings', period],
    queryFn: () => api.get<TimingReport>(`/api/v1/metrics/timings${query({ ...period })}`),
  });
  const falsePositives = useQuery({
    queryKey: ['false-positives'],
    queryFn: () => api.get<FalsePositiveReport>('/api/v1/metrics/false-positives'),
  });

  const report = timings.data;
  return (
    <main id="main">
      <h1>Dashboards</h1>
      <PeriodForm onChange={setPeriod} />
      <ErrorNote error={timings.error} />
      {timings.isPending && <p className="muted">Loading figures…</p>}
      {report && (
        <>
          <p className="muted">
            Investigations opened from {day(report.from)} up to {day(report.to)} (UTC), training
            exercises left out.
          </p>
          {report.groups.length === 0 ? (
            <p>No investigation was opened in this period.</p>
          ) : (
            <>
              <h2>Response times</h2>
              <div className="grid">
                <MeasureChart report={report} measure="detect" />
                <MeasureChart report={report} measure="assess" />
                <MeasureChart report={report} measure="declare" />
                <NotifyChart report={report} />
              </div>
              <TimingTable report={report} />
              <h2>Classifications</h2>
              <ClassificationChart report={report} />
            </>
          )}
        </>
      )}
      <h2>False positives</h2>
      <ErrorNote error={falsePositives.error} />
      {falsePositives.data && <FalsePositiveChart report={falsePositives.data} />}
    </main>
  );
}
