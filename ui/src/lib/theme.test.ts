import { beforeEach, describe, expect, it } from 'vitest';
import { applyTheme, readThemePreference, saveThemePreference, THEME_KEY } from './theme';

describe('theme preference', () => {
  beforeEach(() => {
    localStorage.clear();
    delete document.documentElement.dataset.theme;
  });

  it('follows the system when nothing is stored', () => {
    expect(readThemePreference(localStorage)).toBe('system');
  });

  it('ignores a stored value it does not know', () => {
    localStorage.setItem(THEME_KEY, 'purple');
    expect(readThemePreference(localStorage)).toBe('system');
  });

  it('stores and applies a manual choice', () => {
    saveThemePreference('dark', localStorage, document.documentElement);
    expect(localStorage.getItem(THEME_KEY)).toBe('dark');
    expect(document.documentElement.dataset.theme).toBe('dark');
    expect(readThemePreference(localStorage)).toBe('dark');
  });

  it('going back to system removes both the stored value and the override', () => {
    saveThemePreference('light', localStorage, document.documentElement);
    saveThemePreference('system', localStorage, document.documentElement);
    expect(localStorage.getItem(THEME_KEY)).toBeNull();
    expect(document.documentElement.dataset.theme).toBeUndefined();
  });

  it('still applies the theme when storage throws', () => {
    const broken = {
      getItem: () => {
        throw new Error('denied');
      },
      setItem: () => {
        throw new Error('denied');
      },
      removeItem: () => {
        throw new Error('denied');
      },
    };
    expect(readThemePreference(broken)).toBe('system');
    saveThemePreference('dark', broken, document.documentElement);
    expect(document.documentElement.dataset.theme).toBe('dark');
    applyTheme('system', document.documentElement);
    expect(document.documentElement.dataset.theme).toBeUndefined();
  });
});
