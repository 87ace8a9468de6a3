// QuickBooks Online and Zoho Books end to end in demo mode, in the real window:
// Integrations → connect QuickBooks (Cancel once, a declined consent, then a
// company picked on the consent page) → connect Zoho (organization picker with
// nothing preselected; Esc puts the choice off, the card offers it again) →
// fetch both with live progress → submit one invoice from each → the health
// panel shows company, organization and last fetch.
//
// The consent pages are the sandbox's fakes. In e2e the system browser cannot
// be clicked, so the test plays the browser: it reads the sign-in address the
// page shows ("Copy the sign-in address"), loads the consent page with fetch(),
// posts the decision the buttons would post, and follows the redirect to the
// app's loopback listener on 127.0.0.1. Nothing leaves 127.0.0.1.
//
// Screenshots: test-artifacts/e2e/oauth-*.png.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { launchApp } from '../lib/app.mjs';
import * as consentPage from '../lib/consent.mjs';
import { Key as K, elementRef } from '../lib/webdriver.mjs';

/** The second of the demo's QuickBooks companies (sandbox demo.rs), so the pick is visible. */
const QUICKBOOKS_REALM = '9130350000000002';
const QUICKBOOKS_COMPANY = /Craig.s Design and Landscaping Services/;

describe('QuickBooks and Zoho in demo mode', () => {
  let app;
  let d;

  const authorizeUrl = (provider) => consentPage.authorizeUrl(app, provider);

  /**
   * Plays the browser on the fake's consent page and follows the redirect to
   * the app's loopback listener. Returns the redirect address.
   */
  async function decide(url, decision, fields = {}) {
    const back = await consentPage.consent(url, decision, fields);
    assert.match(back, /^http:\/\/(127\.0\.0\.1|localhost):\d+\//, 'the redirect goes to the loopback listener');
    const landed = await fetch(back);
    await landed.text();
    return back;
  }

  before(async () => {
    app = await launchApp();
    d = app.driver;
  });

  after(async () => {
    await app?.close();
  });

  // ---- QuickBooks ---------------------------------------------------------

  it('shows both OAuth cards ready to connect, with their health', async () => {
    await app.click('nav-integrations');
    await app.waitForTestId('integration-quickbooks');
    assert.match(await app.textOf('quickbooks-connect-start'), /Connect QuickBooks/);
    assert.match(await app.textOf('zoho-connect-start'), /Connect Zoho Books/);
    await app.screenshot('oauth-01-integrations');
  });

  it('waits for the browser with Cancel, and Cancel goes back to the button', async () => {
    await app.click('quickbooks-connect-start');
    await app.waitText('quickbooks-waiting', /Waiting for you to approve in your browser/);
    await authorizeUrl('quickbooks');
    const zohoStart = await app.waitForTestId('zoho-connect-start');
    assert.equal(await d.property(zohoStart, 'disabled'), true, 'one sign-in at a time');
    await app.screenshot('oauth-02-quickbooks-waiting');
    await app.click('quickbooks-cancel');
    await app.waitUntil('the waiting box to go', async () => !(await app.exists('quickbooks-waiting')));
    assert.equal(await d.find('[data-testid="integration-quickbooks"] [data-testid="error-notice"]'), null, 'Cancel is no error');
  });

  it('says so when access is declined on the consent page', async () => {
    await app.click('quickbooks-connect-start');
    await decide(await authorizeUrl('quickbooks'), 'deny');
    const notice = await app.waitFor('[data-testid="quickbooks-connect"] [data-testid="error-notice"]', { timeoutMs: 20_000 });
    assert.match(await d.text(notice), /access was declined/);
    assert.match(await app.textOf('quickbooks-connect-start'), /Try again/);
    await app.screenshot('oauth-03-quickbooks-denied');
  });

  it('connects QuickBooks to the company picked on the consent page, shown by name', async () => {
    await app.click('quickbooks-connect-start');
    await decide(await authorizeUrl('quickbooks'), 'allow', { realmId: QUICKBOOKS_REALM });
    await app.waitText('quickbooks-connected', QUICKBOOKS_COMPANY, 20_000);
    await app.waitText('health-quickbooks-account', QUICKBOOKS_COMPANY);
    await app.waitText('health-quickbooks-last-success', /never/);
    await app.screenshot('oauth-04-quickbooks-connected');
  });

  // ---- Zoho ----------------------------------------------------------------

  let chosenOrg;

  it('connects Zoho and asks for the organization, none preselected; Esc puts it off', async () => {
    await app.click('zoho-connect-start');
    await decide(await authorizeUrl('zoho'), 'allow');
    await app.waitForTestId('org-picker', { timeoutMs: 20_000 });
    const radios = await d.findAll('[data-testid="org-option"] input[type="radio"]');
    assert.ok(radios.length >= 1, 'at least one organization to choose');
    for (const radio of radios) assert.equal(await d.property(radio, 'checked'), false, 'nothing is preselected');
    await app.screenshot('oauth-05-zoho-organizations');

    // Confirming without a choice says what to do.
    await app.click('org-confirm');
    await app.waitText('org-problem', /Choose an organization/);

    await d.pressKeys(K.Escape);
    await app.waitUntil('the picker to close on Esc', async () => !(await app.exists('org-picker')));
    await app.waitText('zoho-needs-org', /no organization is chosen yet/);
  });

  it('chooses the organization from the card and confirms it', async () => {
    await app.click('zoho-choose-org');
    await app.waitForTestId('org-picker');
    const options = await d.findAll('[data-testid="org-option"]');
    // The last active one: a deliberate choice, not the default at the top.
    let target = null;
    for (const option of options) {
      const input = await d.find('input', option);
      if (!(await d.property(input, 'disabled'))) target = option;
    }
    assert.ok(target, 'an active organization');
    // The name alone, without the "default" / "inactive" badges next to it.
    chosenOrg = await d.execute('return arguments[0].querySelector(".name").firstChild.textContent.trim();', [elementRef(target)]);
    assert.ok(chosenOrg, 'the option shows a name');
    await d.click(target);
    await app.click('org-confirm');
    await app.waitUntil('the picker to close', async () => !(await app.exists('org-picker')), 20_000);
    await app.waitText('zoho-connected', new RegExp(`Connected to ${chosenOrg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    assert.equal(await app.textOf('health-zoho-account'), chosenOrg, 'the card names the chosen organization');
    await app.screenshot('oauth-06-zoho-connected');
  });

  // ---- fetch ------------------------------------------------------------------

  for (const provider of ['quickbooks', 'zoho']) {
    it(`fetches ${provider} unpaid invoices with progress`, async () => {
      await app.click(`${provider}-fetch-start`);
      const during = await app.waitText(`${provider}-fetch-status`, /Fetching|Fetched/);
      if (/Fetching/.test(during)) await app.screenshot(`oauth-07-${provider}-fetching`);
      await app.waitText(`${provider}-fetch-status`, /Fetched [\d,]+ unpaid invoices/, 180_000);
      const fetched = Number((await app.textOf(`${provider}-fetch-status`)).match(/Fetched ([\d,]+)/)[1].replace(/,/g, ''));
      assert.ok(fetched > 0, `${provider} gave unpaid invoices`);
      await app.waitText(`health-${provider}-last-success`, /just now|seconds? ago|minute/);
      await app.screenshot(`oauth-08-${provider}-fetched`);
    });
  }

  // ---- submit one from each ----------------------------------------------------

  it('submits one QuickBooks and one Zoho invoice to the agency', async () => {
    const agency = await app.invoke('agency_connection');
    assert.ok(agency, 'demo mode comes with the agency sandbox connected');
    const page = await app.invoke('list_invoices', {
      query: { filter: 'ready', search: null, sort: 'issue_date', descending: true, offset: 0, limit: 1000 },
    });
    const pick = (provider) => page.rows.find((r) => r.provider === provider && r.creditorReference);
    const chosen = [pick('quickbooks'), pick('zoho')];
    assert.ok(chosen[0], 'a ready QuickBooks invoice');
    assert.ok(chosen[1], 'a ready Zoho invoice');

    await app.click('nav-invoices');
    await app.click('filter-ready');
    for (const row of chosen) {
      await app.typeInto('invoice-search', row.creditorReference);
      const check = await app.waitFor(`[data-testid="invoice-row"][data-key="${row.sourceRef}"] [data-testid="row-check"]`);
      if ((await d.attribute(check, 'aria-checked')) !== 'true') await d.click(check);
    }
    await app.typeInto('invoice-search', '');
    await app.waitUntil('two selected', async () => (await app.selectionCount()) === 2);
    await app.screenshot('oauth-09-selected');

    await app.click('submit-selected');
    await app.waitForTestId('submit-confirm');
    for (const row of chosen) {
      assert.ok(await d.find(`[data-testid="will-send-item"][data-key="${row.sourceRef}"]`), `${row.provider} invoice will be sent`);
    }
    await app.screenshot('oauth-10-confirm');
    const accepted = await app.sendSubmission();
    assert.equal(accepted.length, 2, 'both cases accepted by the agency sandbox');
    await app.screenshot('oauth-11-submitted');
    await app.click('submit-close');
  });

  it('checks both submitted invoices at their source on Cases', async () => {
    await app.click('nav-cases');
    await app.waitFor('[data-testid="case-row"]');
    await app.click('check-at-source');
    const stillOpen = await app.waitUntil(
      'both cases still open at their source',
      async () => {
        // The virtual table's rows are laid out by their cells, so read the DOM's text.
        const texts = await d.execute(
          'return [...document.querySelectorAll(\'[data-testid="case-row"]\')].map((r) => r.textContent);',
        );
        if (texts.filter((t) => /Still open\s+checked at source/.test(t)).length >= 2) return texts;
        throw new Error(`at source: ${JSON.stringify(texts)}`);
      },
      45_000,
    ).catch(async (err) => {
      await app.screenshot('oauth-12-cases-at-source-failed');
      throw err;
    });
    assert.ok(stillOpen.length >= 2, `${stillOpen}`);
    await app.screenshot('oauth-12-cases-at-source');
  });

  it('shows both connections healthy on Integrations, in the dark theme too', async () => {
    await app.click('nav-integrations');
    await app.waitText('health-quickbooks-account', QUICKBOOKS_COMPANY);
    await app.waitText('health-zoho-account', /\S/);
    await app.screenshot('oauth-13-health');
    await app.click('nav-settings');
    await app.click('theme-dark');
    await app.click('nav-integrations');
    await app.waitForTestId('health-zoho');
    await app.screenshot('oauth-14-health-dark');
  });
});
