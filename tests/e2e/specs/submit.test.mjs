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
import { Key as K } from '../lib/webdriver.mjs';

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
    await app.click('nav-settings');
    await app.waitForTestId('agency-connection');
    assert.match(await app.textOf('agency-demo'), /Demo sandbox/);
    assert.match(await app.textOf('agency-environment'), /Custom URL/);
    assert.match(await app.textOf('agency-key-hint'), /…-key/);
    const page = await d.execute('return document.body.innerText;');
    assert.ok(!page.includes(DEMO_AGENCY_KEY), 'the key itself must never be shown');
    await app.screenshot('submit-01-settings-agency');
  });

  it('says what to do before calling the agency when the key is empty', async () => {
    await app.click('agency-change');
    await app.click('agency-env-custom');
    await d.clear(await app.waitForTestId('agency-api-key'));
    await app.click('agency-save');
    assert.match(await app.textOf('agency-form-problem'), /API key/);
  });

  it('refuses a wrong key with the message and hint, the code folded away, and keeps the old connection', async () => {
    const info = await app.invoke('app_info');
    const sandbox = info.sandbox.find((s) => /agency/i.test(s.name));
    assert.ok(sandbox, 'demo mode runs an agency sandbox');
    await app.typeInto('agency-base-url', sandbox.url);
    await app.typeInto('agency-api-key', 'not-the-right-key-9999');
    await app.click('agency-save');
    const notice = await app.waitFor('[data-testid="agency-settings"] [data-testid="error-notice"]', { timeoutMs: 20_000 });
    const code = await d.attribute(notice, 'data-code');
    assert.ok(code && code !== 'shell_rejected', `a specific error code, got ${code}`);
    const details = await d.find('details', notice);
    assert.equal(await d.property(details, 'open'), false, 'technical details start folded');
    assert.equal(await d.property(await app.waitForTestId('agency-api-key'), 'value'), '', 'the refused key leaves the form');
    assert.match(await app.textOf('agency-key-hint'), /…-key/);
    await app.screenshot('submit-02-agency-wrong-key');
  });

  it('saves and checks the demo key, then shows only its hint', async () => {
    await app.typeInto('agency-api-key', DEMO_AGENCY_KEY);
    await app.click('agency-save');
    await app.waitText('agency-saved', /the key works for/, 20_000);
    assert.match(await app.textOf('agency-key-hint'), /…-key/);
    assert.equal(await d.find('[data-testid="agency-api-key"]'), null, 'the form folds away after a successful check');
    await app.screenshot('submit-03-agency-saved');
  });

  // ---- empty states -------------------------------------------------------

  it('cannot open a confirmation with nothing selected, and the empty pages say what to do', async () => {
    await app.click('nav-invoices');
    assert.match(await app.textOf('invoices-empty'), /No invoices yet/);
    const submit = await app.waitForTestId('submit-selected');
    assert.equal(await d.property(submit, 'disabled'), true);
    await d.click(submit);
    assert.equal(await d.find('[data-testid="submit-dialog"]'), null, 'no dialog without a selection');

    await app.click('nav-cases');
    assert.match(await app.textOf('cases-empty'), /No cases yet/);
    await app.waitText('last-poll', /Last poll of the agency: (just now|\d+ seconds? ago)/);
    await app.screenshot('submit-04-cases-empty');
  });

  // ---- Stripe: connect and fetch -----------------------------------------

  it('connects Stripe on Integrations with the demo key', async () => {
    await app.click('nav-integrations');
    await app.click('stripe-connect-open');
    assert.match(await app.textOf('stripe-demo-key'), new RegExp(DEMO_STRIPE_KEY));
    await app.click('stripe-use-demo-key');
    await app.click('stripe-connect-save');
    await app.waitText('stripe-connected', /Connected to/, 20_000);
    await app.screenshot('submit-05-stripe-connected');
  });

  it('fetches open invoices with live progress', async () => {
    await app.click('nav-invoices');
    await app.click('fetch-start');
    const during = await app.waitText('fetch-status', /Fetching|Fetched/);
    if (/Fetching/.test(during)) await app.screenshot('submit-06-fetching');
    await app.waitText('fetch-status', /Fetched [\d,]+ unpaid invoices/, 180_000);
    await app.waitForTestId('invoice-row');
    await app.screenshot('submit-07-fetched');
    const all = Number((await app.textOf('filter-all')).replace(/\D/g, ''));
    assert.ok(all > 0, 'the table counts the fetched invoices');
  });

  // ---- fix a debtor once --------------------------------------------------

  let fixedRef;

  it('fixes a debtor once from the drawer and the invoice becomes ready', async () => {
    // Pick an invoice whose only blocking issues are debtor fields the form fixes.
    const page = await app.invoke('list_invoices', { query: { filter: 'needs_fixing', limit: 200 } });
    let chosen = null;
    for (const row of page.rows) {
      const detail = await app.invoke('invoice_detail', { sourceRef: row.sourceRef });
      const blocking = detail.checklist.filter((i) => i.severity === 'blocking');
      if (row.creditorReference && blocking.length > 0 && blocking.every((i) => FIXES[i.code])) {
        chosen = { row, blocking };
        break;
      }
    }
    assert.ok(chosen, 'the demo data has an invoice blocked only by debtor data');
    fixedRef = chosen.row.sourceRef;

    await app.click('filter-needs_fixing');
    await app.typeInto('invoice-search', chosen.row.creditorReference);
    const row = await app.waitFor(`[data-testid="invoice-row"][data-key="${fixedRef}"]`);
    await d.click(row);
    await app.waitForTestId('checklist');
    const items = await d.findAll('[data-testid="checklist-item"]');
    const severities = [];
    for (const item of items) severities.push(await d.attribute(item, 'data-severity'));
    const firstWarning = severities.indexOf('warning');
    assert.ok(firstWarning === -1 || !severities.slice(firstWarning).includes('blocking'), 'blocking issues come first');
    await app.waitForTestId('debtor-fix-form');
    await app.screenshot('submit-08-drawer-needs-fixing');

    for (const issue of chosen.blocking) {
      const [field, value] = FIXES[issue.code];
      await app.typeInto(field, value);
    }
    await app.click('debtor-fix-save');
    await app.waitText('debtor-fix-result', /Fix saved: \d+ invoices? re-checked, \d+ now ready/);
    await app.waitText('detail-readiness', /Ready/);
    await app.waitForTestId('detail-payload');
    await app.click('detail-payload');
    await app.screenshot('submit-09-drawer-fixed');
    await d.pressKeys(K.Escape);
    await app.typeInto('invoice-search', '');
  });

  // ---- selection -----------------------------------------------------------

  let blockedRef;

  it('selects with the checkbox, Shift+click, Space and Ctrl+A', async () => {
    // One invoice that still needs fixing, to see it blocked in the confirmation.
    await app.click('filter-needs_fixing');
    await app.waitUntil('needs-fixing rows', async () => (await rowChecks()).length > 0);
    const needsFixing = await app.waitFor('[data-testid="invoice-row"]');
    blockedRef = await d.attribute(needsFixing, 'data-key');
    await d.click((await rowChecks())[0]);
    assert.equal(await app.selectionCount(), 1);

    await app.click('filter-ready');
    await app.waitUntil('ready rows', async () => {
      const first = await d.find('[data-testid="invoice-row"]');
      return first && (await d.attribute(first, 'data-key')) !== blockedRef;
    });
    let checks = await rowChecks();
    await d.click(checks[0]);
    assert.equal(await app.selectionCount(), 2);
    await d.clickWith(K.Shift, checks[3]);
    await app.waitUntil('a Shift range of four', async () => (await app.selectionCount()) === 5);

    // Space on the active row (the last one clicked) toggles it.
    await d.pressKeys(K.Space);
    await app.waitUntil('Space to deselect', async () => (await app.selectionCount()) === 4);
    await d.pressKeys(K.Space);
    await app.waitUntil('Space to select again', async () => (await app.selectionCount()) === 5);
    await app.screenshot('submit-10-selection');

    // Ctrl+A: every ready invoice of this tab and search.
    const ready = Number((await app.textOf('filter-ready')).replace(/\D/g, ''));
    await d.chord(K.Control, 'a');
    await app.waitUntil('Ctrl+A to select every ready invoice', async () => (await app.selectionCount()) === ready, 30_000);

    // Back to a small selection: the fixed invoice, three ready ones and the blocked one.
    await app.click('selection-clear');
    assert.equal(await app.selectionCount(), 0);
    assert.equal(await d.property(await app.waitForTestId('submit-selected'), 'disabled'), true);
    checks = await rowChecks();
    await d.click(checks[0]);
    await d.clickWith(K.Shift, checks[2]);
    await app.typeInto('invoice-search', (await app.invoke('invoice_detail', { sourceRef: fixedRef })).row.creditorReference);
    const fixedRow = await app.waitFor(`[data-testid="invoice-row"][data-key="${fixedRef}"] [data-testid="row-check"]`);
    if ((await d.attribute(fixedRow, 'aria-checked')) !== 'true') await d.click(fixedRow);
    await app.typeInto('invoice-search', '');
    await app.click('filter-all');
    await app.typeInto('invoice-search', '');
    // The blocked invoice was cleared with the rest: add it back through its row.
    await app.click('filter-needs_fixing');
    const blockedCheck = await app.waitFor(`[data-testid="invoice-row"][data-key="${blockedRef}"] [data-testid="row-check"]`);
    await d.click(blockedCheck);
    await app.waitUntil('four or five selected', async () => (await app.selectionCount()) >= 4);
    assert.match(await app.textOf('submit-selected'), /Submit \d+ cases/);
  });

  // ---- confirmation ----------------------------------------------------------

  it('confirms with destination, totals, blocked reasons and every payload; Tab stays inside; Esc closes', async () => {
    const selected = await app.selectionCount();
    await app.click('submit-selected');
    await app.waitForTestId('submit-confirm');
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
    await app.waitUntil('the dialog to close on Esc', async () => (await d.find('[data-testid="submit-dialog"]')) === null);
    assert.equal(await d.find('[data-testid="case-row"]'), null);
  });

  it('shows a dry run without sending anything', async () => {
    await app.click('submit-selected');
    await app.click('submit-dry-run');
    await app.waitForTestId('submit-dry-run-result');
    await app.screenshot('submit-12-dry-run');
    const cases = await app.invoke('list_cases', { query: {} });
    assert.equal(cases.total, 0, 'a dry run sends nothing');
    await app.click('submit-back');
    await app.waitForTestId('submit-confirm');
  });

  it('sends, shows progress, and lists each result with its agency reference', async () => {
    const expected = (await d.findAll('[data-testid="will-send-item"]')).length;
    await app.click('submit-send');
    const seen = await app.waitUntil('progress or results', async () =>
      (await d.find('[data-testid="submit-progress"]')) ? 'progress' : (await d.find('[data-testid="submit-results"]')) ? 'results' : false,
    );
    if (seen === 'progress') await app.screenshot('submit-13-progress');
    await app.waitForTestId('submit-results');
    const accepted = await d.findAll('[data-testid="result-item"][data-state="accepted"]');
    assert.equal(accepted.length, expected, 'every confirmed case was accepted by the sandbox');
    const refs = await d.findAll('[data-testid="agency-reference"]');
    assert.equal(refs.length, expected, 'each accepted case shows its agency reference');
    assert.match(await app.textOf('submit-counts'), new RegExp(`${expected} accepted`));
    await app.screenshot('submit-14-results');
  });

  it('shows the new cases on Cases, refreshed from the agency', async () => {
    await app.click('submit-open-cases');
    await app.waitForTestId('page-cases');
    await app.waitUntil('case rows', async () => (await d.findAll('[data-testid="case-row"]')).length >= 4);
    await app.click('refresh-cases');
    await app.waitText('last-poll', /Last poll of the agency: (just now|\d+ seconds? ago)/);
    await app.screenshot('submit-15-cases');

    await app.click('nav-invoices');
    await app.click('filter-submitted');
    await app.waitUntil('submitted invoices', async () => (await d.find(`[data-testid="invoice-row"][data-key="${fixedRef}"]`)) !== null);
  });

  it('shows live progress on a large submit and stops when asked, keeping the rest queued', async () => {
    await app.click('filter-ready');
    await app.waitForTestId('invoice-row');
    await app.click('select-ready');
    const ready = Number((await app.textOf('filter-ready')).replace(/\D/g, ''));
    await app.waitUntil('every ready invoice selected', async () => (await app.selectionCount()) === ready, 30_000);
    await app.click('submit-selected');
    await app.waitForTestId('submit-confirm');
    await app.click('submit-send');
    await app.waitForTestId('submit-progress');
    await app.screenshot('submit-16-queuing');
    // Stop becomes available once sending has started.
    const stop = await app.waitForTestId('submit-stop');
    await app.waitUntil('sending to start', async () => (await d.property(stop, 'disabled')) === false, 180_000);
    await app.waitText('submit-progress-line', /[1-9]\d* of \d+ answered/, 60_000);
    await app.screenshot('submit-17-progress');
    await d.click(stop);
    await app.waitForTestId('submit-results');
    await app.screenshot('submit-18-stopped');
    const counts = await app.textOf('submit-counts');
    const accepted = Number(/(\d+) accepted/.exec(counts)?.[1]);
    assert.ok(accepted > 0 && accepted < ready, `stopped part-way: ${counts}`);
    const queued = Number(/(\d+) still queued/.exec(counts)?.[1]);
    assert.equal(accepted + queued, ready, `every confirmed case is either accepted or still queued: ${counts}`);
    assert.match(await app.textOf('submit-stopped'), new RegExp(`${queued} cases were not sent yet. They stay queued`));
    await app.click('submit-close');
  });

  it('reads the same in the dark theme', async () => {
    await app.click('nav-settings');
    await app.click('theme-dark');
    await app.click('nav-invoices');
    await app.click('filter-needs_fixing');
    await d.click(await app.waitForTestId('invoice-row'));
    await app.waitForTestId('checklist');
    await app.screenshot('submit-19-dark-drawer');
    await app.click('nav-cases');
    await app.waitForTestId('case-row');
    await app.screenshot('submit-20-dark-cases');
  });
});
