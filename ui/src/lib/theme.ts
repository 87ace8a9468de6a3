// Light and dark follow the OS unless the user picked one in Settings; the
// choice is kept in localStorage and applied as `data-theme` on <html>
// before the first paint.

export type ThemePreference = 'system' | 'light' | 'dark';

export const THEME_KEY = 'casebridge.theme';

export function readThemePreference(storage: Pick<Storage, 'getItem'>): ThemePreference {
  let value: string | null = null;
  try {
    value = storage.getItem(THEME_KEY);
  } catch {
    // Storage can be unavailable (privacy settings); the OS theme still works.
  }
  return value === 'light' || value === 'dark' ? value : 'system';
}

export function applyTheme(preference: ThemePreference, root: HTMLElement): void {
  if (preference === 'system') delete root.dataset.theme;
  else root.dataset.theme = preference;
}

export function saveThemePreference(
  preference: ThemePreference,
  storage: Pick<Storage, 'setItem' | 'removeItem'>,
  root: HTMLElement,
): void {
  try {
    if (preference === 'system') storage.removeItem(THEME_KEY);
    else storage.setItem(THEME_KEY, preference);
  } catch {
    // Not persisted, but still applied for this session.
  }
  applyTheme(preference, root);
}
