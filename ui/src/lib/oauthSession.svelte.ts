// The window's one sign-in flow and one fetch job per OAuth source, wired to
// the engine's commands. They outlive the Integrations page, so a sign-in
// waiting in the browser or a running fetch keeps going when the user looks
// elsewhere.

import { api } from './api';
import type { OAuthProvider } from './oauth';
import { SignInFlow } from './oauthConnect.svelte';
import { ProviderFetch, type FetchCommands } from './oauthFetch.svelte';

export const signInFlow = new SignInFlow({
  begin: (provider) => api.beginOAuthConnect({ provider, timeoutSecs: null }),
  finish: () => api.finishOAuthConnect(),
  cancel: () => api.cancelOAuthConnect(),
  organizations: () => api.zohoOrganizations(),
  chooseOrg: (_provider, organizationId) => api.chooseZohoOrganization({ organizationId }),
});

// Deep-link sign-ins (QuickBooks production) end through the shell's event.
void api.onOAuthFinished((event) => signInFlow.deepLinkFinished(event)).catch(() => {
  // Outside the app shell (component tests, a plain browser) there are no events.
});

const fetchCommands: FetchCommands = {
  // "Also uncollectible" is a Stripe status; these sources have no such filter.
  fetch: (provider, filters) =>
    (provider === 'quickbooks' ? api.fetchQuickbooks : api.fetchZoho)({ ...filters, includeUncollectible: false }),
  // cancel_fetch stops whichever fetch runs (one at a time); what was read stays cached.
  cancel: () => api.cancelFetch(),
  onProgress: (handler) => api.onJobProgress(handler),
};

export const providerFetches: Record<OAuthProvider, ProviderFetch> = {
  quickbooks: new ProviderFetch('quickbooks', fetchCommands),
  zoho: new ProviderFetch('zoho', fetchCommands),
};
