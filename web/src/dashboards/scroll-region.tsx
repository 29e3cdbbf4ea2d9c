import type { ReactNode } from 'react';

/**
 * A wide table's scrolling box on a narrow screen. Focusable and named, so that it can be
 * scrolled from the keyboard and a screen reader says what it holds (axe: a scrollable
 * region must be focusable).
 */
export function ScrollRegion({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="table-wrap" role="region" aria-label={label} tabIndex={0}>
      {children}
    </div>
  );
}
