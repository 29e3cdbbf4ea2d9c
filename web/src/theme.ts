/**
 * Light or dark: the system's choice unless the person picked one here (kept in this browser
 * only). The choice is a data attribute on <html>, so the CSS needs no inline style.
 */
export type Theme = 'light' | 'dark';

const KEY = 'breachdesk.theme';

export function initialTheme(): Theme {
  const saved = localStorage.getItem(KEY);
  if (saved === 'light' || saved === 'dark') return saved;
  return window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

export function applyTheme(theme: Theme): void {
  document.documentElement.dataset.theme = theme;
  localStorage.setItem(KEY, theme);
}
