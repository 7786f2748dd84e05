// Light or dark: the system's preference (prefers-color-scheme) unless the person chose one, which is kept in
// localStorage. The resolved theme is the `data-theme` attribute of <html>, which styles.css reads.
import { useSyncExternalStore } from 'react';

export type ThemeChoice = 'system' | 'light' | 'dark';
export type Theme = 'light' | 'dark';

export const themeKey = 'plexus.theme';
const order: ThemeChoice[] = ['system', 'light', 'dark'];

export function readChoice(storage: Pick<Storage, 'getItem'>): ThemeChoice {
  const stored = storage.getItem(themeKey);
  return stored === 'light' || stored === 'dark' ? stored : 'system';
}

export function resolve(choice: ThemeChoice, systemDark: boolean): Theme {
  return choice === 'system' ? (systemDark ? 'dark' : 'light') : choice;
}

/** What the toggle goes to next: system → light → dark → system. */
export function nextChoice(choice: ThemeChoice): ThemeChoice {
  return order[(order.indexOf(choice) + 1) % order.length]!;
}

const listeners = new Set<() => void>();
const query = typeof matchMedia === 'function' ? matchMedia('(prefers-color-scheme: dark)') : null;
let choice: ThemeChoice = readChoice(localStorage);

function apply(): void {
  const theme = resolve(choice, query?.matches ?? false);
  document.documentElement.dataset.theme = theme;
  document.documentElement.style.colorScheme = theme;
  listeners.forEach((l) => l());
}

/** Called once before the first render, so the first paint already has the right colours. */
export function startTheme(): void {
  apply();
  query?.addEventListener('change', () => choice === 'system' && apply());
}

export function setChoice(next: ThemeChoice): void {
  choice = next;
  if (next === 'system') localStorage.removeItem(themeKey);
  else localStorage.setItem(themeKey, next);
  apply();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useTheme(): { choice: ThemeChoice; theme: Theme } {
  const current = useSyncExternalStore(subscribe, () => choice);
  const theme = useSyncExternalStore(subscribe, () => (document.documentElement.dataset.theme === 'dark' ? 'dark' : 'light'));
  return { choice: current, theme };
}
