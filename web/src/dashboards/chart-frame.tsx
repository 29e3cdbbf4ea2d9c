/**
 * A chart as screen readers meet it: one image with a label that says what it shows and
 * where its figures are in text (a table next to it, passed as children). The SVG inside is
 * not focusable.
 */
import type { ReactNode } from 'react';

export function ChartFrame(props: {
  title: string;
  label: string;
  chart: ReactNode;
  children?: ReactNode;
}) {
  return (
    <figure className="chart panel">
      <figcaption>
        <h3>{props.title}</h3>
      </figcaption>
      <div className="chart-box" role="img" aria-label={props.label}>
        {props.chart}
      </div>
      {props.children}
    </figure>
  );
}
