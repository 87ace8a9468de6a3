// QuickBooks and Zoho sign-ins that come back by a `casebridge://` deep link,
// delivered the way Linux delivers it: the desktop runs the registered handler
// `casebridge-desktop <url>` as a second process; single-instance hands its
// arguments to the running window over D-Bus and the second process quits;
// the deep-link plugin passes the link to the engine, and the window shows the
// outcome (`oauth://finished`).
//
// The test plays the browser on the sandbox's fake consent page (as
// oauth.test.mjs does) but takes the consent's `casebridge://…` Location
// instead of following it, and launches the app binary a second time with it,
// with the first instance's environment (demo switch, data directory, display,
// session bus; lib/app.mjs `launchAgain`).
//
// Demo mode's Settings show no form for the provider app ("the sandbox's demo
// app is set up for you"), so the redirect is switched to the deep link with
// the command the form's Save calls (`save_oauth_client`); in demo mode its
// default is the custom scheme itself, registered with the fake.
//
// Screenshots: test-artifacts/e2e/deeplink-*.png.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { launchApp } from '../lib/app.mjs';
import * as consentPage from '../lib/consent.mjs';
import { elementRef } from '../lib/webdriver.mjs';

const CALLBACK = 'casebridge://oauth/callback';
/** The second of the demo's QuickBooks companies (sandbox demo.rs), so the pick is visible. */
const QUICKBOOKS_REALM = '9130350000000002';
const QUICKBOOKS_COMPANY = /Craig.s Design and Landscaping Services/;

describe('QuickBooks and Zoho sign-in through a casebridge:// link and a second launch (demo mode)', () => {
  let app;
  let d;

  /** The consent page's address, which asks to come back by the deep link. */
  async function authorizeUrl(provider) {
    const url = await consentPage.authorizeUrl(app, provider);
    assert.equal(new URL(url).searchParams.get('redirect_uri'), CALLBACK, 'the sign-in asks to come back by the deep link');
    return url;
  }

  /**
   * Plays the browser on the fake's consent page. Returns the `casebridge://`
   * address the consent redirects to; a browser would now hand it to the
   * desktop, which starts the app.
   */
  async function consent(url, decision, fields = {}) {
    const back = await consentPage.consent(url, decision, fields);
    assert.ok(back.startsWith(`${CALLBACK}?`), `the redirect is the deep link, got ${back}`);
    const link = new URL(back);
    assert.equal(link.searchParams.get('state'), new URL(url).searchParams.get('state'), 'the link carries the sign-in state');
    assert.ok(link.searchParams.get('code'), 'the link carries an authorization code');
    return back;
  }

  /** The app's log so far (tauri-driver passes its output to the spec's log), without colours. */
  function appLog() {
    return readFileSync(app.logFile, 'utf8').replace(/\x1b\[[0-9;]*m/g, '');
  }

  /** `link` with its `state` replaced: what a forged or stale link looks like. */
  function withState(link, state) {
    const url = new URL(link);
    url.searchParams.set('state', state);
    return url.toString();
  }

  /**
   * Opens `link` the way the desktop does: `casebridge-desktop <link>` as a
   * second process (no `--demo`: the OS passes the link alone; demo mode comes
   * from the environment, as for the first instance). It must hand the link to
   * the running window and quit by itself, successfully.
   */
  async function openLink(link) {
    const second = await app.launchAgain([link]);
    assert.equal(second.signal, null, `the second launch ended by itself, not by a signal; output: ${second.output}`);
    assert.equal(second.code, 0, `the second launch handed over and exited 0; output: ${second.output}`);
    return second;
  }

  before(async () => {
    app = await launchApp();
    d = app.driver;
  });

  after(async () => {
    await app?.close();
  });

  it('switches QuickBooks and Zoho to come back by the casebridge:// link', async () => {
    await app.click('nav-integrations');
    await app.waitForTestId('integration-quickbooks');
    // Demo mode offers no provider-app form: the fake's demo app is fixed.
    await app.waitText('quickbooks-app-demo', /demo QuickBooks app is set up/);
    assert.equal(await app.exists('quickbooks-app-open'), false, 'no provider-app form in demo mode');
    for (const provider of ['quickbooks', 'zoho']) {
      const before = await app.invoke('oauth_client_settings', { provider });
      assert.equal(before.redirect, 'loopback', `${provider} starts on the loopback redirect`);
      const saved = await app.invoke('save_oauth_client', {
        request: {
          provider,
          clientId: before.clientId,
          clientSecret: null,
          environment: before.environment,
          redirect: 'deep_link',
          redirectUris: [],
        },
      });
      assert.equal(saved.redirect, 'deep_link', `${provider} now comes back by the deep link`);
      assert.deepEqual(saved.redirectUris, [CALLBACK], `${provider}'s demo deep link is the app's own scheme`);
      assert.equal(saved.ready, true, `${provider} can still sign in`);
    }
    await app.screenshot('deeplink-01-integrations');
  });

  // ---- QuickBooks: the link completes the sign-in ---------------------------------

  let quickbooksLink;

  it('connects QuickBooks when a second launch hands over the casebridge:// link, and the second launch quits', async () => {
    await app.click('quickbooks-connect-start');
    await app.waitText('quickbooks-waiting', /Waiting for you to approve in your browser/);
    const link = (quickbooksLink = await consent(await authorizeUrl('quickbooks'), 'allow', { realmId: QUICKBOOKS_REALM }));
    assert.equal(new URL(link).searchParams.get('realmId'), QUICKBOOKS_REALM, 'the link names the company picked');
    await app.screenshot('deeplink-02-quickbooks-waiting');

    const second = await openLink(link);
    console.log(`# second launch handed over and exited in ${second.ms} ms`);
    await app.waitText('quickbooks-connected', QUICKBOOKS_COMPANY, 20_000);
    await app.waitText('health-quickbooks-account', QUICKBOOKS_COMPANY);
    assert.equal(await app.exists('quickbooks-waiting'), false, 'the card no longer waits');
    const connection = await app.invoke('oauth_connection', { provider: 'quickbooks' });
    assert.match(connection?.company ?? '', QUICKBOOKS_COMPANY, 'the engine keeps the connection');
    assert.equal(connection.accountId, QUICKBOOKS_REALM, 'connected to the company picked on the consent page');
    await app.screenshot('deeplink-03-quickbooks-connected');
  });

  it('ignores the same QuickBooks link opened again: it reaches the app, is refused, and the connection stays', async () => {
    const refusals = () => appLog().match(/sign-in callback refused or failed code=oauth_no_pending_flow/g)?.length ?? 0;
    const before = refusals();
    await openLink(quickbooksLink);
    await app.waitUntil('the app to refuse the replayed link', () => refusals() > before, 20_000);
    assert.equal(await app.exists('error-notice'), false, 'a link no sign-in waits for shows no error on any card');
    const connection = await app.invoke('oauth_connection', { provider: 'quickbooks' });
    assert.equal(connection?.accountId, QUICKBOOKS_REALM, 'still connected to the same company');
    await app.waitText('health-quickbooks-account', QUICKBOOKS_COMPANY);
  });

  // ---- Zoho: a link with a wrong state is refused ------------------------------------

  let zohoLink;

  it('ignores a Zoho link whose state is not the sign-in\'s: says so on the waiting card and does not connect', async () => {
    await app.click('zoho-connect-start');
    await app.waitText('zoho-waiting', /Waiting for you to approve in your browser/);
    zohoLink = await consent(await authorizeUrl('zoho'), 'allow');

    await openLink(withState(zohoLink, 'not-the-state-of-this-sign-in'));
    // The engine refuses the link but keeps the sign-in it waits for (a stale or forged link
    // must not end it), so the card keeps waiting and says a link was ignored.
    await app.waitText('zoho-connect-warning', /A sign-in link was ignored: .*does not belong to the sign-in in progress/);
    assert.equal(await app.exists('zoho-waiting'), true, 'still waiting for the real answer');
    assert.equal(await app.exists('error-notice'), false, 'no failure shown');
    assert.equal(await app.exists('zoho-connected'), false, 'no connection shown');
    assert.equal(await app.exists('org-picker'), false, 'no organization choice offered');
    assert.equal(await app.invoke('oauth_connection', { provider: 'zoho' }), null, 'the engine kept no Zoho connection');
    // QuickBooks is untouched by a Zoho link.
    await app.waitText('health-quickbooks-account', QUICKBOOKS_COMPANY);
    await app.screenshot('deeplink-04-zoho-wrong-state');
  });

  it('still completes the Zoho sign-in with the genuine link afterwards (the forged one did not end it)', async () => {
    await openLink(zohoLink);
    // The engine kept the sign-in open through the refusal: the genuine link signs in,
    // the organization not chosen yet.
    await app.waitUntil(
      'the Zoho connection signed in, waiting for an organization',
      async () => {
        const connection = await app.invoke('oauth_connection', { provider: 'zoho' });
        return connection && connection.company === null && connection.needsOrganization ? connection : null;
      },
      20_000,
    );
    // The window still waited, so the genuine link opens the organization picker.
    await app.waitForTestId('org-picker');
    await app.screenshot('deeplink-05-zoho-genuine-link');
    await app.waitFor('[data-testid="org-option"]', { timeoutMs: 20_000 });
    let target = null;
    for (const option of await d.findAll('[data-testid="org-option"]')) {
      if (!(await d.property(await d.find('input', option), 'disabled'))) {
        target = option;
        break;
      }
    }
    assert.ok(target, 'an active organization to choose');
    const org = await d.execute('return arguments[0].querySelector(".name").firstChild.textContent.trim();', [elementRef(target)]);
    await d.click(target);
    await app.click('org-confirm');
    await app.waitUntil('the picker to close', async () => !(await app.exists('org-picker')), 20_000);
    await app.waitText('zoho-connected', new RegExp(`Connected to ${org.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    assert.equal(await app.textOf('health-zoho-account'), org, 'the card names the chosen organization');
    await app.screenshot('deeplink-06-zoho-connected');
  });
});
