// The sign-in flow's stages with fake engine commands: waiting, cancel,
// denied, time-out, the company's name, the Zoho organization choice and the
// reconnect warning.
import { flushSync } from 'svelte';
import { describe, expect, it, vi } from 'vitest';
import type { OAuthProvider } from './oauth';
import { SignInFlow, type SignInCommands, type SignInStarted } from './oauthConnect.svelte';
import type { OAuthConnection, UiError } from './wire';

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

const conn = (partial: Partial<OAuthConnection>): OAuthConnection => ({
  provider: 'quickbooks',
  environment: 'production',
  company: null,
  accountId: null,
  dataCentre: null,
  needsOrganization: false,
  organizations: [],
  warning: null,
  ...partial,
});

function harness() {
  const finish = deferred<OAuthConnection>();
  // A cancel with no sign-in waiting rejects a promise nobody awaits.
  finish.promise.catch(() => {});
  const commands = {
    begin: vi.fn(async (_p: OAuthProvider): Promise<SignInStarted> => ({ authorizeUrl: 'http://127.0.0.1:9/oauth/authorize?x', warning: null })),
    finish: vi.fn((_p: OAuthProvider) => finish.promise),
    cancel: vi.fn(async (_p: OAuthProvider) => {
      finish.reject({ code: 'oauth_cancelled', message: 'cancelled', hint: '' });
      return true;
    }),
    organizations: vi.fn(async () => [
      { organizationId: '1', name: 'A', currencyCode: null, isDefault: false, isActive: true },
    ]),
    chooseOrg: vi.fn(async (_p: OAuthProvider, id: string) => conn({ provider: 'zoho', company: `Org ${id}`, accountId: id })),
  } satisfies SignInCommands;
  return { flow: new SignInFlow(commands), commands, finish };
}

describe('SignInFlow', () => {
  it('waits with the authorize URL, then names the QuickBooks company', async () => {
    const { flow, finish } = harness();
    flow.begin('quickbooks', false);
    await tick();
    expect(flow.stage).toMatchObject({ kind: 'waiting', provider: 'quickbooks', authorizeUrl: 'http://127.0.0.1:9/oauth/authorize?x' });
    expect(flow.busy).toBe(true);
    expect(flow.of('zoho').kind).toBe('idle');
    const before = flow.changed;
    finish.resolve(conn({ company: 'Sandbox Company US 1', accountId: '9130' }));
    await tick();
    expect(flow.stage).toMatchObject({ kind: 'connected', account: 'Sandbox Company US 1' });
    expect(flow.changed).toBeGreaterThan(before);
    expect(flow.busy).toBe(false);
  });

  it('allows one sign-in at a time', async () => {
    const { flow, commands } = harness();
    flow.begin('quickbooks', false);
    flow.begin('zoho', false);
    await tick();
    expect(commands.begin).toHaveBeenCalledTimes(1);
    expect(flow.stage).toMatchObject({ provider: 'quickbooks' });
  });

  it('goes back to the button on Cancel, with no error shown', async () => {
    const { flow, commands } = harness();
    flow.begin('quickbooks', false);
    await tick();
    await flow.cancel();
    await tick();
    expect(commands.cancel).toHaveBeenCalledWith('quickbooks');
    expect(flow.stage.kind).toBe('idle');
  });

  it('keeps the engine error for a denied consent or a time-out', async () => {
    const { flow, finish } = harness();
    flow.begin('quickbooks', false);
    await tick();
    const denied: UiError = { code: 'oauth_access_denied', message: 'Access was denied in the browser.', hint: 'Connect again and click Connect.' };
    finish.reject(denied);
    await tick();
    expect(flow.stage).toEqual({ kind: 'failed', provider: 'quickbooks', error: denied });
    flow.dismiss();
    expect(flow.stage.kind).toBe('idle');
  });

  it('fails with the begin error when the browser step cannot start', async () => {
    const { flow, commands } = harness();
    const notReady = { code: 'oauth_client_missing', message: 'No QuickBooks app is set up.', hint: 'Settings → OAuth clients.' };
    commands.begin.mockRejectedValueOnce(notReady);
    flow.begin('quickbooks', false);
    await tick();
    expect(flow.stage).toEqual({ kind: 'failed', provider: 'quickbooks', error: notReady });
    expect(commands.finish).not.toHaveBeenCalled();
  });

  it('asks Zoho for an organization and never picks one itself', async () => {
    const { flow, finish, commands } = harness();
    flow.begin('zoho', false);
    await tick();
    finish.resolve(
      conn({
        provider: 'zoho',
        needsOrganization: true,
        organizations: [
          { organizationId: '1', name: 'Default Org', currencyCode: 'EUR', isDefault: true, isActive: true },
          { organizationId: '2', name: 'Other', currencyCode: 'USD', isDefault: false, isActive: true },
        ],
      }),
    );
    await tick();
    expect(flow.stage).toMatchObject({ kind: 'choosing', provider: 'zoho' });
    expect(commands.chooseOrg).not.toHaveBeenCalled();
    await flow.choose('2');
    expect(commands.chooseOrg).toHaveBeenCalledWith('zoho', '2');
    expect(flow.stage).toMatchObject({ kind: 'connected', account: 'Org 2' });
  });

  it('keeps the picker open with the error when saving the choice fails', async () => {
    const { flow, commands } = harness();
    await flow.pick('zoho');
    expect(flow.stage).toMatchObject({ kind: 'choosing', saving: false, orgs: [{ id: '1', name: 'A' }] });
    const failure = { code: 'zoho_org_forbidden', message: 'No access to A.', hint: 'Choose another.' };
    commands.chooseOrg.mockRejectedValueOnce(failure);
    await flow.choose('1');
    expect(flow.stage).toMatchObject({ kind: 'choosing', saving: false, error: failure });
  });

  it('warns before reconnecting Zoho and starts only when confirmed', async () => {
    const { flow, commands } = harness();
    commands.begin.mockResolvedValueOnce({ authorizeUrl: 'u', warning: { code: 'zoho_refresh_token_limit', message: 'w', hint: 'h' } });
    flow.begin('zoho', true);
    flushSync();
    expect(flow.stage).toEqual({ kind: 'confirm-reconnect', provider: 'zoho' });
    expect(commands.begin).not.toHaveBeenCalled();
    flow.confirmReconnect();
    await tick();
    // The warning was read in the dialog; it is not repeated while waiting.
    expect(flow.stage).toMatchObject({ kind: 'waiting', provider: 'zoho', warning: null });
  });

  it('leaves the reconnect question without starting', async () => {
    const { flow, commands } = harness();
    flow.begin('zoho', true);
    await flow.cancel();
    expect(flow.stage.kind).toBe('idle');
    expect(commands.begin).not.toHaveBeenCalled();
  });

  it('reconnects QuickBooks without a question', async () => {
    const { flow, commands } = harness();
    flow.begin('quickbooks', true);
    await tick();
    expect(commands.begin).toHaveBeenCalledWith('quickbooks');
  });

  it('stops a sign-in the window forgot, and re-reads the cards', async () => {
    const { flow, commands } = harness();
    const before = flow.changed;
    await flow.cancelStale('zoho');
    expect(commands.cancel).toHaveBeenCalledWith('zoho');
    expect(flow.stage.kind).toBe('idle');
    expect(flow.changed).toBe(before + 1);
  });

  it('settles a waiting sign-in from the deep-link event and ignores the later answer', async () => {
    const { flow, finish } = harness();
    flow.begin('quickbooks', false);
    await tick();
    flow.deepLinkFinished({ connection: conn({ company: 'Deep Link Co' }), error: null });
    expect(flow.stage).toMatchObject({ kind: 'connected', provider: 'quickbooks', account: 'Deep Link Co' });
    finish.reject({ code: 'oauth_cancelled', message: 'superseded', hint: '' });
    await tick();
    expect(flow.stage).toMatchObject({ kind: 'connected', account: 'Deep Link Co' });
  });

  it('shows a deep-link error on the waiting card, and a deep-link Zoho sign-in opens the picker when idle', async () => {
    const { flow } = harness();
    flow.begin('quickbooks', false);
    await tick();
    const denied = { code: 'oauth_access_denied', message: 'denied', hint: 'again' };
    flow.deepLinkFinished({ connection: null, error: denied });
    expect(flow.stage).toEqual({ kind: 'failed', provider: 'quickbooks', error: denied });
    flow.dismiss();
    flow.deepLinkFinished({
      connection: conn({ provider: 'zoho', needsOrganization: true, organizations: [{ organizationId: '5', name: 'Z', currencyCode: null, isDefault: false, isActive: true }] }),
      error: null,
    });
    expect(flow.stage).toMatchObject({ kind: 'choosing', provider: 'zoho', orgs: [{ id: '5' }] });
  });

  it('keeps waiting after a link with a foreign state, says it was ignored, and connects on the real one', async () => {
    const { flow } = harness();
    flow.begin('zoho', false);
    await tick();
    const foreign = { code: 'oauth_state_mismatch', message: 'The answer does not belong to this sign-in', hint: 'Start the connection again.' };
    flow.deepLinkFinished({ connection: null, error: foreign });
    expect(flow.stage).toMatchObject({
      kind: 'waiting',
      provider: 'zoho',
      cancelling: false,
      warning: { code: 'oauth_state_mismatch', message: 'A sign-in link was ignored: The answer does not belong to this sign-in.' },
    });
    expect(flow.busy).toBe(true);
    flow.deepLinkFinished({ connection: conn({ provider: 'zoho', company: 'Acme GmbH' }), error: null });
    expect(flow.stage).toMatchObject({ kind: 'connected', provider: 'zoho', account: 'Acme GmbH' });
  });
});
