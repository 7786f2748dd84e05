import { afterEach, describe, expect, it } from 'vitest';
import { nextChoice, readChoice, resolve, setChoice, startTheme, themeKey } from './theme';

describe('colour theme', () => {
  afterEach(() => localStorage.clear());

  it('follows the system unless a choice is stored', () => {
    expect(readChoice({ getItem: () => null })).toBe('system');
    expect(readChoice({ getItem: () => 'dark' })).toBe('dark');
    expect(readChoice({ getItem: () => 'purple' })).toBe('system');
    expect(resolve('system', true)).toBe('dark');
    expect(resolve('system', false)).toBe('light');
    expect(resolve('light', true)).toBe('light');
    expect(resolve('dark', false)).toBe('dark');
  });

  it('the toggle goes system → light → dark → system', () => {
    expect([nextChoice('system'), nextChoice('light'), nextChoice('dark')]).toEqual(['light', 'dark', 'system']);
  });

  it('a choice is kept in localStorage and set on <html>; system forgets it', () => {
    startTheme();
    setChoice('dark');
    expect(localStorage.getItem(themeKey)).toBe('dark');
    expect(document.documentElement.dataset.theme).toBe('dark');
    setChoice('light');
    expect(document.documentElement.dataset.theme).toBe('light');
    setChoice('system');
    expect(localStorage.getItem(themeKey)).toBeNull();
    // jsdom has no prefers-color-scheme: dark, so the system gives light.
    expect(document.documentElement.dataset.theme).toBe('light');
  });
});
