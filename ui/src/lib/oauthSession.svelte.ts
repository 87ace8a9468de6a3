// The window's one sign-in flow and one fetch job per OAuth source, wired to
// the engine's commands. They outlive the Integrations page, so a sign-in
// waiting in the browser or a running fetch keeps going when the user looks
// elsewhere.

import { api } from './api';
import type { OAuthConnectionView, OAuthProvider } from './oauth';
import { SignInFlow } from './oauthConnect.svelte';
import { ProviderFetch, type FetchCommands } from './oauthFetch.svelte';

export const signInFlow = new SignInFlow({
  begin: (provider) => api.beginOAuthConnect({ provider, timeoutSecs: null }),
  finish: (provider) => api.finishOAuthConnect(provider) as Promise<OAuthConnectionView>,
  cancel: (provider) => api.cancelOAuthConnect(provider),
  chooseOrg: (_provider, organizationId) =>
    api.chooseZohoOrganization({ organizationId }) as Promise<OAuthConnectionView>,
});

const fetchCommands: FetchCommands = {
  fetch: (provider, filters) => api.fetchOAuth(provider, filters),
  cancel: (provider) => api.cancelOAuthFetch(provider),
  onProgress: (handler) => api.onJobProgress(handler),
};

export const providerFetches: Record<OAuthProvider, ProviderFetch> = {
  quickbooks: new ProviderFetch('quickbooks', fetchCommands),
  zoho: new ProviderFetch('zoho', fetchCommands),
};
