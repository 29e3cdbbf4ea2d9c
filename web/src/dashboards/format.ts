/** Durations and rates as the dashboards print them. */

/** "45 min", "2 h", "1 h 15 min", "3 d 4 h"; "—" when there is no figure. */
export function duration(seconds: number | null): string {
  if (seconds === null) return '—';
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  if (hours >= 72) return `${Math.floor(hours / 24)} d ${hours % 24} h`;
  return rest === 0 ? `${hours} h` : `${hours} h ${rest} min`;
}

/** Seconds as hours with two decimals, for chart axes; null stays null (no bar). */
export function hours(seconds: number | null): number | null {
  return seconds === null ? null : Math.round((seconds / 3600) * 100) / 100;
}

export function percent(rate: number): string {
  return `${Math.round(rate * 1000) / 10} %`;
}

export { words } from '../words.ts';
