// The mapping grid: a second column given the name field is joined, a split
// shows what each part of a sample becomes, and the profile note appears
// when a saved profile was applied.
import { flushSync, mount, unmount } from 'svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import ImportMapping from './ImportMapping.svelte';
import ImportProfiles from './ImportProfiles.svelte';
import { draftFromSession, toWireMapping, type MappingDraft } from '../lib/importModel';
import { FIELDS, danishSession } from '../lib/importFixtures';
import type { ImportBackend } from '../lib/importFlow.svelte';

const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

describe('ImportMapping', () => {
  let component: ReturnType<typeof mount> | null = null;
  afterEach(() => {
    if (component) unmount(component);
    component = null;
    document.body.innerHTML = '';
  });

  function render(draft: MappingDraft, profileName: string | null = null) {
    if (component) unmount(component);
    const onchange = vi.fn();
    const onconfirm = vi.fn();
    component = mount(ImportMapping, {
      target: document.body,
      props: { draft, fields: FIELDS, profileName, onchange, onconfirm, onprofiles: vi.fn() },
    });
    flushSync();
    return { onchange, onconfirm };
  }

  const fieldSelect = (column: number) =>
    document.querySelector<HTMLSelectElement>(`[data-testid="mapping-row"][data-column="${column}"] [data-testid="mapping-field"]`) as HTMLSelectElement;

  function choose(select: HTMLSelectElement, value: string) {
    select.value = value;
    select.dispatchEvent(new Event('change', { bubbles: true }));
  }

  it('joins first and last name when both get the name field, and says so', () => {
    const { onchange } = render(draftFromSession(danishSession()));
    choose(fieldSelect(3), 'debtor_name');
    const joined = onchange.mock.calls[0]?.[0] as MappingDraft;
    expect(toWireMapping(joined).fields).toContainEqual({ field: 'debtor_name', source: { kind: 'join', columns: [2, 3], separator: ' ' } });
    render(joined);
    const note = document.querySelector('[data-testid="mapping-row"][data-column="3"] [data-testid="mapping-joined"]');
    expect(note?.textContent?.trim()).toBe('joined with “Fornavn”');
  });

  it('splits the address column and shows each part of the first sample', () => {
    const { onchange } = render(draftFromSession(danishSession()));
    choose(fieldSelect(4), '__split');
    const split = onchange.mock.calls[0]?.[0] as MappingDraft;
    render(split);
    const labels = [...document.querySelectorAll('[data-testid="mapping-split"] .part > span')].map((s) => s.textContent);
    expect(labels).toEqual(['Part 1 (“Vestergade 1”)', 'Part 2 and the rest (“8000 Aarhus”)']);
  });

  it('marks required fields, names the applied profile and only confirms a complete mapping', () => {
    const draft = draftFromSession(danishSession());
    render(draft, 'Debitorer marts');
    expect(document.querySelector('[data-testid="import-profile-applied"]')?.textContent).toContain('Debitorer marts');
    expect([...fieldSelect(0).options].find((o) => o.value === 'invoice_number')?.textContent).toBe('Invoice number *');
    const confirm = document.querySelector('[data-testid="mapping-confirm"]') as HTMLButtonElement;
    expect(confirm.disabled).toBe(true);
    const { onconfirm } = render({ ...draft, constants: { currency: 'DKK', debtor_type: '' } });
    (document.querySelector('[data-testid="mapping-confirm"]') as HTMLButtonElement).click();
    expect(onconfirm).toHaveBeenCalledWith(true); // and the mapping is remembered as a profile
  });
});

describe('ImportProfiles', () => {
  let component: ReturnType<typeof mount> | null = null;
  afterEach(() => {
    if (component) unmount(component);
    component = null;
    document.body.innerHTML = '';
  });

  it('renames, asks once before deleting, and exports a profile', async () => {
    let profiles = [
      { id: 7, name: 'Debitorer', headerFingerprint: 'hf1:a', headers: ['Fakturanr', 'Beløb'], createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-02T00:00:00Z' },
    ];
    const backend = {
      profiles: vi.fn(async () => profiles),
      renameProfile: vi.fn(async (id: number, name: string) => {
        profiles = profiles.map((p) => (p.id === id ? { ...p, name } : p));
        return profiles[0];
      }),
      deleteProfile: vi.fn(async () => {
        profiles = [];
        return true;
      }),
      exportProfile: vi.fn(async () => '/tmp/Debitorer.json'),
      importProfile: vi.fn(async () => null),
    } as unknown as ImportBackend;
    const onclose = vi.fn();
    component = mount(ImportProfiles, { target: document.body, props: { backend, onclose } });
    await settle();
    flushSync();
    const button = (label: string) =>
      [...document.querySelectorAll<HTMLButtonElement>('button')].find((b) => b.getAttribute('aria-label') === label || b.textContent?.trim() === label) as HTMLButtonElement;

    button('Rename Debitorer').click();
    flushSync();
    const input = document.querySelector<HTMLInputElement>('#rename-7') as HTMLInputElement;
    input.value = 'Debitorer (marts)';
    input.dispatchEvent(new Event('input', { bubbles: true }));
    input.form?.requestSubmit();
    await settle();
    flushSync();
    expect(backend.renameProfile).toHaveBeenCalledWith(7, 'Debitorer (marts)');
    expect(document.querySelector('[data-testid="import-profile"] .name')?.textContent).toBe('Debitorer (marts)');

    button('Export Debitorer (marts)').click();
    await settle();
    flushSync();
    expect(backend.exportProfile).toHaveBeenCalledWith(7, 'Debitorer (marts)');
    expect(document.body.textContent).toContain('Exported to /tmp/Debitorer.json');

    button('Delete Debitorer (marts)').click();
    flushSync();
    expect(backend.deleteProfile).not.toHaveBeenCalled();
    button('Delete').click();
    await settle();
    flushSync();
    expect(backend.deleteProfile).toHaveBeenCalledWith(7);
    expect(document.querySelector('[data-testid="import-profiles-empty"]')).not.toBeNull();

    document
      .querySelector('[data-testid="import-profiles"]')
      ?.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    expect(onclose).toHaveBeenCalled();
  });
});
