// A sign-in with QuickBooks or Zoho, window-wide: the consent page opens in
// the system browser and the app waits for the redirect back. The wait
// survives navigating away (the flow lives here, not in the page), can be
// cancelled, and ends in the company's name (QuickBooks), an organization to
// choose (Zoho), or the engine's error: access denied, time-out, a callback
// that matched no sign-in.
//
// The engine allows one sign-in at a time, so this store does too.

import { orgChoices, signInOutcome, type OAuthProvider, type OrgChoice } from './oauth';
import type { ConnectStarted, OAuthConnection, OAuthFinished, UiError, ZohoOrganization } from './wire';

/** What the page reads of the engine's answer once the browser was opened. */
export type SignInStarted = Pick<ConnectStarted, 'authorizeUrl' | 'warning'>;

/** The engine commands a sign-in needs (api.ts in the app, fakes in tests). */
export interface SignInCommands {
  /** Opens the consent page in the system browser. */
  begin(provider: OAuthProvider): Promise<SignInStarted>;
  /** Resolves when the redirect came back, or rejects with the engine's error (denied, time-out, cancelled). */
  finish(provider: OAuthProvider): Promise<OAuthConnection>;
  /** Stops waiting for the redirect; the pending `finish` then rejects. */
  cancel(provider: OAuthProvider): Promise<unknown>;
  /** The organizations of the signed-in Zoho user, to choose later. */
  organizations(): Promise<ZohoOrganization[]>;
  /** Keeps the chosen organization. */
  chooseOrg(provider: OAuthProvider, orgId: string): Promise<OAuthConnection>;
}

export type SignInStage =
  | { kind: 'idle' }
  /** Reconnecting Zoho: its 20-refresh-token warning is shown first. */
  | { kind: 'confirm-reconnect'; provider: OAuthProvider }
  | {
      kind: 'waiting';
      provider: OAuthProvider;
      authorizeUrl: string | null;
      warning: UiError | null;
      cancelling: boolean;
    }
  | { kind: 'choosing'; provider: OAuthProvider; orgs: OrgChoice[]; saving: boolean; error: UiError | null }
  | { kind: 'connected'; provider: OAuthProvider; account: string; warning: UiError | null }
  | { kind: 'failed'; provider: OAuthProvider; error: UiError };

/**
 * Links the engine refuses without ending the sign-in it waits for: one whose
 * `state` belongs to no sign-in (stale, or not ours) and one that arrives
 * when none is pending. The real answer can still come, so the card keeps
 * waiting and says a link was ignored.
 */
const IGNORED_LINK_CODES = new Set(['oauth_state_mismatch', 'oauth_no_pending_flow']);

function ignoredLink(error: UiError): UiError {
  return {
    code: error.code,
    message: `A sign-in link was ignored: ${error.message.replace(/[^.!?]$/, '$&.')}`,
    hint: 'Still waiting: finish the sign-in in the browser, or Cancel and connect again.',
  };
}

export class SignInFlow {
  stage: SignInStage = $state({ kind: 'idle' });
  /** Bumped whenever a connection may have changed, so the page re-reads its cards. */
  changed = $state(0);
  /** The Zoho reconnect warning was read and accepted for the running sign-in. */
  private warned = false;

  constructor(private readonly commands: SignInCommands) {}

  /** True while a browser step, the reconnect question or an organization choice is open. */
  get busy(): boolean {
    const kind = this.stage.kind;
    return kind === 'waiting' || kind === 'choosing' || kind === 'confirm-reconnect';
  }

  /** The stage when it concerns this provider, else idle. */
  of(provider: OAuthProvider): SignInStage {
    return this.stage.kind !== 'idle' && this.stage.provider === provider ? this.stage : { kind: 'idle' };
  }

  /**
   * Connect or reconnect. A Zoho reconnect first asks (20-refresh-token
   * warning); everything else goes straight to the browser.
   */
  begin(provider: OAuthProvider, reconnect: boolean): void {
    if (this.busy) return;
    if (provider === 'zoho' && reconnect) {
      this.stage = { kind: 'confirm-reconnect', provider };
      return;
    }
    this.warned = false;
    void this.run(provider);
  }

  /** "Reconnect anyway" after the warning. */
  confirmReconnect(): void {
    if (this.stage.kind !== 'confirm-reconnect') return;
    this.warned = true;
    void this.run(this.stage.provider);
  }

  private waitingFor(provider: OAuthProvider): boolean {
    return this.stage.kind === 'waiting' && this.stage.provider === provider;
  }

  private async run(provider: OAuthProvider): Promise<void> {
    this.stage = { kind: 'waiting', provider, authorizeUrl: null, warning: null, cancelling: false };
    try {
      const started = await this.commands.begin(provider);
      if (this.stage.kind === 'waiting' && this.stage.provider === provider) {
        // The engine's own reconnect warning was already read in the dialog.
        const warning = this.warned ? null : started.warning;
        this.stage = { ...this.stage, authorizeUrl: started.authorizeUrl, warning };
      }
      const connection = await this.commands.finish(provider);
      if (!this.waitingFor(provider)) return;
      const outcome = signInOutcome(connection);
      this.stage =
        outcome.kind === 'connected'
          ? { kind: 'connected', provider, account: outcome.account, warning: outcome.warning }
          : { kind: 'choosing', provider, orgs: outcome.orgs, saving: false, error: null };
    } catch (error) {
      if (!this.waitingFor(provider)) return;
      // Cancelled on purpose: back to the button, nothing to read.
      this.stage =
        this.stage.kind === 'waiting' && this.stage.cancelling
          ? { kind: 'idle' }
          : { kind: 'failed', provider, error: error as UiError };
    } finally {
      this.changed++;
    }
  }

  /** Stops waiting for the browser (or leaves the reconnect question). */
  async cancel(): Promise<void> {
    const stage = this.stage;
    if (stage.kind === 'confirm-reconnect') {
      this.stage = { kind: 'idle' };
      return;
    }
    if (stage.kind !== 'waiting' || stage.cancelling) return;
    this.stage = { ...stage, cancelling: true };
    try {
      await this.commands.cancel(stage.provider);
    } catch (error) {
      // The redirect may have won the race; if not, say why cancelling failed.
      if (this.waitingFor(stage.provider)) this.stage = { kind: 'failed', provider: stage.provider, error: error as UiError };
      return;
    }
    if (this.waitingFor(stage.provider)) this.stage = { kind: 'idle' };
  }

  /**
   * Ends a sign-in this window no longer waits for (the engine still does,
   * e.g. after the window reloaded): the card says one is waiting; this
   * stops it so a new one can start.
   */
  async cancelStale(provider: OAuthProvider): Promise<void> {
    if (this.busy) return;
    try {
      await this.commands.cancel(provider);
    } catch (error) {
      this.stage = { kind: 'failed', provider, error: error as UiError };
    } finally {
      this.changed++;
    }
  }

  /**
   * A deep-link sign-in ended (the shell's `oauth://finished`). While the
   * window waits it settles that sign-in (a later answer of `finish` is then
   * ignored); otherwise (the app was started by the link, or the window
   * reloaded) a connection is shown on its card and an error is left to the
   * card's last error, as it names no provider.
   */
  deepLinkFinished(event: OAuthFinished): void {
    this.changed++;
    const stage = this.stage;
    const provider = stage.kind === 'waiting' ? stage.provider : (event.connection?.provider ?? null);
    if (provider === null || (stage.kind !== 'waiting' && stage.kind !== 'idle')) return;
    if (event.connection) {
      const outcome = signInOutcome(event.connection);
      this.stage =
        outcome.kind === 'connected'
          ? { kind: 'connected', provider, account: outcome.account, warning: outcome.warning }
          : { kind: 'choosing', provider, orgs: outcome.orgs, saving: false, error: null };
    } else if (event.error && stage.kind === 'waiting') {
      this.stage = IGNORED_LINK_CODES.has(event.error.code)
        ? { ...stage, warning: ignoredLink(event.error) }
        : { kind: 'failed', provider, error: event.error };
    }
  }

  /** Keeps the organization chosen in the picker. */
  async choose(orgId: string): Promise<void> {
    const stage = this.stage;
    if (stage.kind !== 'choosing' || stage.saving) return;
    this.stage = { ...stage, saving: true, error: null };
    try {
      const outcome = signInOutcome(await this.commands.chooseOrg(stage.provider, orgId));
      this.stage =
        outcome.kind === 'connected'
          ? { kind: 'connected', provider: stage.provider, account: outcome.account, warning: outcome.warning }
          : { ...stage, saving: false, orgs: outcome.orgs };
    } catch (error) {
      this.stage = { ...stage, saving: false, error: error as UiError };
    } finally {
      this.changed++;
    }
  }

  /** Opens the picker for a Zoho sign-in whose organization choice was put off. */
  async pick(provider: OAuthProvider): Promise<void> {
    if (this.busy) return;
    this.stage = { kind: 'choosing', provider, orgs: [], saving: true, error: null };
    try {
      const orgs = orgChoices(await this.commands.organizations());
      if (this.stage.kind === 'choosing') this.stage = { ...this.stage, orgs, saving: false };
    } catch (error) {
      if (this.stage.kind === 'choosing') this.stage = { kind: 'failed', provider, error: error as UiError };
    }
  }

  /** Closes a result (connected / failed) or a choice the user put off. */
  dismiss(): void {
    if (this.stage.kind === 'waiting') return;
    this.stage = { kind: 'idle' };
  }
}
