// The submit flow end to end in demo mode, in the real window:
// Settings → Agency (demo sandbox connection, a refused key, save and check)
// → empty states (Submit impossible with nothing selected) → connect Stripe
// with the demo key → fetch → fix a debtor once → select (checkbox, Shift
// range, Space, Ctrl+A) → confirmation (destination, totals, blocked items
// with reasons, payloads, dry run, focus trap, Esc) → send with progress →
// result list → the cases appear on Cases.
//
// Screenshots: test-artifacts/e2e/submit-*.png. The export button opens the
// system's save dialog, which WebDriver cannot drive, so it is not clicked.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { launchApp } from '../lib/app.mjs';
import { Key as K, elementRef } from '../lib/webdriver.mjs';

const DEMO_AGENCY_KEY = 'demo-agency-key';
const DEMO_STRIPE_KEY = 'rk_test_casebridge_demo_readonly';

/** What to type to fix each readiness rule the debtor form can fix. */
const FIXES = {
  street_missing: ['fix-addressLines', 'Vesterbrogade 1'],
  city_missing: ['fix-city', 'København V'],
  postal_code_missing: ['fix-postalCode', '1620'],
  postal_code_invalid: ['fix-postalCode', '1620'],
  country_missing: ['fix-country', 'DK'],
  country_invalid: ['fix-country', 'DK'],
  debtor_name_missing: ['fix-name', 'Fixed Debtor ApS'],
};

describe('submit flow in demo mode', () => {
  let app;
  let d;

  // ---- small helpers over the harness's WebDriver client -----------------
  const byTestId = (id) => app.waitForTestId(id);
  const click = async (id) => d.click(await byTestId(id));
  async function typeInto(id, text) {
    const el = await byTestId(id);
    await d.clear(el);
    if (text !== '') await d.sendKeys(el, text);
    // Clearing fires no input event in every driver; the UI listens for one.
    else await d.execute('arguments[0].dispatchEvent(new Event("input", { bubbles: true }));', [elementRef(el)]);
  }

  const waitUntil = (what, check, timeoutMs) => app.waitUntil(what, check, timeoutMs);
  const waitText = (id, pattern, timeoutMs) => app.waitText(id, pattern, timeoutMs);


  const invoke = (command, args) => app.invoke(command, args);

  const selectionCount = async () => {
    const text = await app.textOf('selection-count');
    const m = /([\d,]+) selected/.exec(text);
    return m ? Number(m[1].replace(/,/g, '')) : 0;
  };

  const rowChecks = () => d.findAll('[data-testid="invoice-row"] [data-testid="row-check"]');

  const focusInside = (testId) =>
    d.execute(`return !!document.activeElement?.closest('[data-testid="${testId}"]');`);

  before(async () => {
    app = await launchApp();
    d = app.driver;
  });

  after(async () => {
    await app?.close();
  });

  // ---- Settings → Agency --------------------------------------------------

  it('shows the demo sandbox connection in Settings → Agency, with only the key hint', async () => {
    await click('nav-settings');
    await byTestId('agency-connection');
    assert.match(await app.textOf('agency-demo'), /Demo sandbox/);
    assert.match(await app.textOf('agency-environment'), /Custom URL/);
    assert.match(await app.textOf('agency-key-hint'), /…-key/);
    const page = await d.execute('return document.body.innerText;');
    assert.ok(!page.includes(DEMO_AGENCY_KEY), 'the key itself must never be shown');
    await app.screenshot('submit-01-settings-agency');
  });

  it('says what to do before calling the agency when the key is empty', async () => {
    await click('agency-change');
    await click('agency-env-custom');
    await d.clear(await byTestId('agency-api-key'));
    await click('agency-save');
    assert.match(await app.textOf('agency-form-problem'), /API key/);
  });

  it('refuses a wrong key with the message and hint, the code folded away, and keeps the old connection', async () => {
    const info = await invoke('app_info');
    const sandbox = info.sandbox.find((s) => /agency/i.test(s.name));
    assert.ok(sandbox, 'demo mode runs an agency sandbox');
    await typeInto('agency-base-url', sandbox.url);
    await typeInto('agency-api-key', 'not-the-right-key-9999');
    await click('agency-save');
    const notice = await app.waitFor('[data-testid="agency-settings"] [data-testid="error-notice"]', { timeoutMs: 20_000 });
    const code = await d.attribute(notice, 'data-code');
    assert.ok(code && code !== 'shell_rejected', `a specific error code, got ${code}`);
    const details = await d.find('details', notice);
    assert.equal(await d.property(details, 'open'), false, 'technical details start folded');
    assert.equal(await d.property(await byTestId('agency-api-key'), 'value'), '', 'the refused key leaves the form');
    assert.match(await app.textOf('agency-key-hint'), /…-key/);
    await app.screenshot('submit-02-agency-wrong-key');
  });

  it('saves and checks the demo key, then shows only its hint', async () => {
    await typeInto('agency-api-key', DEMO_AGENCY_KEY);
    await click('agency-save');
    await waitText('agency-saved', /the key works for/, 20_000);
    assert.match(await app.textOf('agency-key-hint'), /…-key/);
    assert.equal(await d.find('[data-testid="agency-api-key"]'), null, 'the form folds away after a successful check');
    await app.screenshot('submit-03-agency-saved');
  });

  // ---- empty states -------------------------------------------------------

  it('cannot open a confirmation with nothing selected, and the empty pages say what to do', async () => {
    await click('nav-invoices');
    assert.match(await app.textOf('invoices-empty'), /No invoices yet/);
    const submit = await byTestId('submit-selected');
    assert.equal(await d.property(submit, 'disabled'), true);
    await d.click(submit);
    assert.equal(await d.find('[data-testid="submit-dialog"]'), null, 'no dialog without a selection');

    await click('nav-cases');
    assert.match(await app.textOf('cases-empty'), /No cases yet/);
    await waitText('last-poll', /Last poll of the agency: (just now|\d+ seconds? ago)/);
    await app.screenshot('submit-04-cases-empty');
  });

  // ---- Stripe: connect and fetch -----------------------------------------

  it('connects Stripe on Integrations with the demo key', async () => {
    await click('nav-integrations');
    await click('stripe-connect-open');
    assert.match(await app.textOf('stripe-demo-key'), new RegExp(DEMO_STRIPE_KEY));
    await click('stripe-use-demo-key');
    await click('stripe-connect-save');
    await waitText('stripe-connected', /Connected to/, 20_000);
    await app.screenshot('submit-05-stripe-connected');
  });

  it('fetches open invoices with live progress', async () => {
    await click('nav-invoices');
    await click('fetch-start');
    const during = await waitText('fetch-status', /Fetching|Fetched/);
    if (/Fetching/.test(during)) await app.screenshot('submit-06-fetching');
    await waitText('fetch-status', /Fetched [\d,]+ unpaid invoices/, 180_000);
    await byTestId('invoice-row');
    await app.screenshot('submit-07-fetched');
    const all = Number((await app.textOf('filter-all')).replace(/\D/g, ''));
    assert.ok(all > 0, 'the table counts the fetched invoices');
  });

  // ---- fix a debtor once --------------------------------------------------

  let fixedRef;

  it('fixes a debtor once from the drawer and the invoice becomes ready', async () => {
    // Pick an invoice whose only blocking issues are debtor fields the form fixes.
    const page = await invoke('list_invoices', { query: { filter: 'needs_fixing', limit: 200 } });
    let chosen = null;
    for (const row of page.rows) {
      const detail = await invoke('invoice_detail', { sourceRef: row.sourceRef });
      const blocking = detail.checklist.filter((i) => i.severity === 'blocking');
      if (row.creditorReference && blocking.length > 0 && blocking.every((i) => FIXES[i.code])) {
        chosen = { row, blocking };
        break;
      }
    }
    assert.ok(chosen, 'the demo data has an invoice blocked only by debtor data');
    fixedRef = chosen.row.sourceRef;

    await click('filter-needs_fixing');
    await typeInto('invoice-search', chosen.row.creditorReference);
    const row = await app.waitFor(`[data-testid="invoice-row"][data-key="${fixedRef}"]`);
    await d.click(row);
    await byTestId('checklist');
    const items = await d.findAll('[data-testid="checklist-item"]');
    const severities = [];
    for (const item of items) severities.push(await d.attribute(item, 'data-severity'));
    const firstWarning = severities.indexOf('warning');
    assert.ok(firstWarning === -1 || !severities.slice(firstWarning).includes('blocking'), 'blocking issues come first');
    await byTestId('debtor-fix-form');
    await app.screenshot('submit-08-drawer-needs-fixing');

    for (const issue of chosen.blocking) {
      const [field, value] = FIXES[issue.code];
      await typeInto(field, value);
    }
    await click('debtor-fix-save');
    await waitText('debtor-fix-result', /Fix saved: \d+ invoices? re-checked, \d+ now ready/);
    await waitText('detail-readiness', /Ready/);
    await byTestId('detail-payload');
    await click('detail-payload');
    await app.screenshot('submit-09-drawer-fixed');
    await d.pressKeys(K.Escape);
    await typeInto('invoice-search', '');
  });

  // ---- selection -----------------------------------------------------------

  let blockedRef;

  it('selects with the checkbox, Shift+click, Space and Ctrl+A', async () => {
    // One invoice that still needs fixing, to see it blocked in the confirmation.
    await click('filter-needs_fixing');
    await waitUntil('needs-fixing rows', async () => (await rowChecks()).length > 0);
    const needsFixing = await app.waitFor('[data-testid="invoice-row"]');
    blockedRef = await d.attribute(needsFixing, 'data-key');
    await d.click((await rowChecks())[0]);
    assert.equal(await selectionCount(), 1);

    await click('filter-ready');
    await waitUntil('ready rows', async () => {
      const first = await d.find('[data-testid="invoice-row"]');
      return first && (await d.attribute(first, 'data-key')) !== blockedRef;
    });
    let checks = await rowChecks();
    await d.click(checks[0]);
    assert.equal(await selectionCount(), 2);
    await d.clickWith(K.Shift, checks[3]);
    await waitUntil('a Shift range of four', async () => (await selectionCount()) === 5);

    // Space on the active row (the last one clicked) toggles it.
    await d.pressKeys(K.Space);
    await waitUntil('Space to deselect', async () => (await selectionCount()) === 4);
    await d.pressKeys(K.Space);
    await waitUntil('Space to select again', async () => (await selectionCount()) === 5);
    await app.screenshot('submit-10-selection');

    // Ctrl+A: every ready invoice of this tab and search.
    const ready = Number((await app.textOf('filter-ready')).replace(/\D/g, ''));
    await d.chord(K.Control, 'a');
    await waitUntil('Ctrl+A to select every ready invoice', async () => (await selectionCount()) === ready, 30_000);

    // Back to a small selection: the fixed invoice, three ready ones and the blocked one.
    await click('selection-clear');
    assert.equal(await selectionCount(), 0);
    assert.equal(await d.property(await byTestId('submit-selected'), 'disabled'), true);
    checks = await rowChecks();
    await d.click(checks[0]);
    await d.clickWith(K.Shift, checks[2]);
    await typeInto('invoice-search', (await invoke('invoice_detail', { sourceRef: fixedRef })).row.creditorReference);
    const fixedRow = await app.waitFor(`[data-testid="invoice-row"][data-key="${fixedRef}"] [data-testid="row-check"]`);
    if ((await d.attribute(fixedRow, 'aria-checked')) !== 'true') await d.click(fixedRow);
    await typeInto('invoice-search', '');
    await click('filter-all');
    await typeInto('invoice-search', '');
    // The blocked invoice was cleared with the rest: add it back through its row.
    await click('filter-needs_fixing');
    const blockedCheck = await app.waitFor(`[data-testid="invoice-row"][data-key="${blockedRef}"] [data-testid="row-check"]`);
    await d.click(blockedCheck);
    await waitUntil('four or five selected', async () => (await selectionCount()) >= 4);
    assert.match(await app.textOf('submit-selected'), /Submit \d+ cases/);
  });

  // ---- confirmation ----------------------------------------------------------

  it('confirms with destination, totals, blocked reasons and every payload; Tab stays inside; Esc closes', async () => {
    const selected = await selectionCount();
    await click('submit-selected');
    await byTestId('submit-confirm');
    assert.match(await app.textOf('submit-destination'), /custom agency URL.*127\.0\.0\.1/);
    assert.match(await app.textOf('submit-totals'), /in \d+ cases?/);
    const willSend = await d.findAll('[data-testid="will-send-item"]');
    assert.equal(willSend.length, selected - 1, 'everything but the blocked invoice will be sent');
    assert.ok(await d.find(`[data-testid="will-send-item"][data-key="${fixedRef}"]`), 'the fixed invoice is sent');
    const blocked = await app.waitFor(`[data-testid="blocked-item"][data-key="${blockedRef}"]`);
    assert.ok((await d.text(blocked)).length > 20, 'a blocked item says why');
    assert.match(await app.textOf('submit-send'), new RegExp(`Send ${selected - 1} cases`));

    // Focus starts on Send and Tab cycles inside the dialog.
    assert.equal(await app.focusedTestId(), 'submit-send');
    for (let i = 0; i < 12; i++) {
      await d.pressKeys(K.Tab);
      assert.ok(await focusInside('submit-dialog'), `focus left the dialog after ${i + 1} Tabs`);
    }
    await d.click(await app.waitFor('[data-testid="will-send-item"] [data-testid="payload-view"] summary'));
    await app.screenshot('submit-11-confirmation');

    await d.pressKeys(K.Escape);
    await waitUntil('the dialog to close on Esc', async () => (await d.find('[data-testid="submit-dialog"]')) === null);
    assert.equal(await d.find('[data-testid="case-row"]'), null);
  });

  it('shows a dry run without sending anything', async () => {
    await click('submit-selected');
    await click('submit-dry-run');
    await byTestId('submit-dry-run-result');
    await app.screenshot('submit-12-dry-run');
    const cases = await invoke('list_cases', { query: {} });
    assert.equal(cases.total, 0, 'a dry run sends nothing');
    await click('submit-back');
    await byTestId('submit-confirm');
  });

  it('sends, shows progress, and lists each result with its agency reference', async () => {
    const expected = (await d.findAll('[data-testid="will-send-item"]')).length;
    await click('submit-send');
    const seen = await waitUntil('progress or results', async () =>
      (await d.find('[data-testid="submit-progress"]')) ? 'progress' : (await d.find('[data-testid="submit-results"]')) ? 'results' : false,
    );
    if (seen === 'progress') await app.screenshot('submit-13-progress');
    await byTestId('submit-results');
    const accepted = await d.findAll('[data-testid="result-item"][data-state="accepted"]');
    assert.equal(accepted.length, expected, 'every confirmed case was accepted by the sandbox');
    const refs = await d.findAll('[data-testid="agency-reference"]');
    assert.equal(refs.length, expected, 'each accepted case shows its agency reference');
    assert.match(await app.textOf('submit-counts'), new RegExp(`${expected} accepted`));
    await app.screenshot('submit-14-results');
  });

  it('shows the new cases on Cases, refreshed from the agency', async () => {
    await click('submit-open-cases');
    await byTestId('page-cases');
    await waitUntil('case rows', async () => (await d.findAll('[data-testid="case-row"]')).length >= 4);
    await click('refresh-cases');
    await waitText('last-poll', /Last poll of the agency: (just now|\d+ seconds? ago)/);
    await app.screenshot('submit-15-cases');

    await click('nav-invoices');
    await click('filter-submitted');
    await waitUntil('submitted invoices', async () => (await d.find(`[data-testid="invoice-row"][data-key="${fixedRef}"]`)) !== null);
  });

  it('shows live progress on a large submit and stops when asked, keeping the rest queued', async () => {
    await click('filter-ready');
    await byTestId('invoice-row');
    await click('select-ready');
    const ready = Number((await app.textOf('filter-ready')).replace(/\D/g, ''));
    await waitUntil('every ready invoice selected', async () => (await selectionCount()) === ready, 30_000);
    await click('submit-selected');
    await byTestId('submit-confirm');
    await click('submit-send');
    await byTestId('submit-progress');
    await app.screenshot('submit-16-queuing');
    // Stop becomes available once sending has started.
    const stop = await byTestId('submit-stop');
    await waitUntil('sending to start', async () => (await d.property(stop, 'disabled')) === false, 180_000);
    await waitText('submit-progress-line', /[1-9]\d* of \d+ answered/, 60_000);
    await app.screenshot('submit-17-progress');
    await d.click(stop);
    await byTestId('submit-results');
    await app.screenshot('submit-18-stopped');
    const counts = await app.textOf('submit-counts');
    const accepted = Number(/(\d+) accepted/.exec(counts)?.[1]);
    assert.ok(accepted > 0 && accepted < ready, `stopped part-way: ${counts}`);
    const queued = Number(/(\d+) still queued/.exec(counts)?.[1]);
    assert.equal(accepted + queued, ready, `every confirmed case is either accepted or still queued: ${counts}`);
    assert.match(await app.textOf('submit-stopped'), new RegExp(`${queued} cases were not sent yet. They stay queued`));
    await click('submit-close');
  });

  it('reads the same in the dark theme', async () => {
    await click('nav-settings');
    await click('theme-dark');
    await click('nav-invoices');
    await click('filter-needs_fixing');
    await d.click(await byTestId('invoice-row'));
    await byTestId('checklist');
    await app.screenshot('submit-19-dark-drawer');
    await click('nav-cases');
    await byTestId('case-row');
    await app.screenshot('submit-20-dark-cases');
  });
});
