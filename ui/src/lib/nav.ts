// The five pages, their order (which is also the number-key shortcut) and
// the hash each one lives at (#/invoices), so a reload or an e2e test can
// open a page directly.

export const PAGES = [
  { id: 'integrations', label: 'Integrations' },
  { id: 'invoices', label: 'Invoices' },
  { id: 'import', label: 'Import' },
  { id: 'cases', label: 'Cases' },
  { id: 'settings', label: 'Settings' },
] as const;

export type PageId = (typeof PAGES)[number]['id'];

export const DEFAULT_PAGE: PageId = 'invoices';

export function pageFromHash(hash: string): PageId {
  const id = hash.replace(/^#\/?/, '');
  return PAGES.find((p) => p.id === id)?.id ?? DEFAULT_PAGE;
}

export function hashFor(page: PageId): string {
  return `#/${page}`;
}

/** "1".."5" → that page; anything else → null. */
export function pageForDigit(key: string): PageId | null {
  if (!/^[1-9]$/.test(key)) return null;
  return PAGES[Number(key) - 1]?.id ?? null;
}

/** Roving focus in the sidebar: arrows move and wrap, Home/End jump. */
export function nextNavIndex(current: number, key: string, count: number): number | null {
  if (count <= 0) return null;
  switch (key) {
    case 'ArrowDown':
      return (current + 1) % count;
    case 'ArrowUp':
      return (current - 1 + count) % count;
    case 'Home':
      return 0;
    case 'End':
      return count - 1;
    default:
      return null;
  }
}

/** Single-key shortcuts must not fire while the user types in a field. */
const NON_TEXT_INPUTS = new Set(['radio', 'checkbox', 'button', 'submit', 'reset', 'range', 'color', 'file']);

export function isTypingTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLInputElement) return !NON_TEXT_INPUTS.has(target.type);
  return target.tagName === 'TEXTAREA' || target.tagName === 'SELECT';
}
