// Test data for the Integrations cards: an engine IntegrationCard and its
// OAuth health with every field at a neutral value, so a test sets only what
// it is about (and a new wire field is added here once).

import type { IntegrationCard, IntegrationKind, OAuthHealth, OAuthProvider } from './wire';

export function oauthHealth(provider: OAuthProvider, partial: Partial<OAuthHealth> = {}): OAuthHealth {
  return {
    provider,
    environment: 'production',
    clientReady: true,
    redirect: 'loopback',
    refreshTokenIssuedAt: null,
    dataCentre: null,
    needsOrganization: false,
    connecting: false,
    ...partial,
  };
}

export function integrationCard(kind: IntegrationKind, partial: Partial<IntegrationCard> = {}): IntegrationCard {
  return {
    kind,
    title: kind,
    blurb: '',
    rateLimits: null,
    dailyQuota: null,
    status: 'not_connected',
    account: null,
    environment: null,
    lastSuccessAt: null,
    tokenExpiresAt: null,
    lastError: null,
    oauth: null,
    ...partial,
  };
}
