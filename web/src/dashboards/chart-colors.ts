/**
 * Chart colours from the theme's CSS variables (styles.css, "Dashboards" block), read again
 * whenever the theme changes: SVG fills set as attributes cannot use var() themselves.
 */
import { useEffect, useState } from 'react';

export interface ChartColors {
  series: string[];
  text: string;
  grid: string;
}

function read(): ChartColors {
  const css = getComputedStyle(document.documentElement);
  const v = (name: string) => css.getPropertyValue(name).trim();
  return {
    series: [1, 2, 3, 4, 5, 6].map((i) => v(`--chart-${i}`) || '#0b57d0'),
    text: v('--fg') || '#1a1d21',
    grid: v('--border') || '#c9ced6',
  };
}

export function useChartColors(): ChartColors {
  const [colors, setColors] = useState(read);
  useEffect(() => {
    const observer = new MutationObserver(() => setColors(read()));
    observer.observe(document.documentElement, { attributeFilter: ['data-theme'] });
    return () => observer.disconnect();
  }, []);
  return colors;
}
