//! The Integrations page: one card per source and one for the agency.
//!
//! A card reports what this build can do; an integration that is not built
//! yet says so instead of offering a button that does nothing. Each card says
//! the source's rate limits, and Zoho's says how much of the organization's
//! daily quota the last fetch left.

use casebridge_providers::DailyQuota;
use casebridge_store::{ConnectionRecord, ConnectionStatus as StoredStatus, Store};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::api::{
    ConnectionStatus, DailyQuotaSeen, IntegrationCard, IntegrationKind, OAuthHealth, OAuthProvider,
    UiError,
};
use crate::{Engine, EngineError};

struct CardSpec {
    kind: IntegrationKind,
    provider: &'static str,
    title: &'static str,
    blurb: &'static str,
    /// The provider's published limits (see `reference/`) and the pacing the client keeps.
    rate_limits: Option<&'static str>,
}

const CARDS: [CardSpec; 5] = [
    CardSpec {
        kind: IntegrationKind::Stripe,
        provider: "stripe",
        title: "Stripe",
        blurb: "Native sync of open invoices with a read-only restricted key.",
        rate_limits: Some(
            "Stripe allows 25 requests a second in test mode and 100 in live mode, 25 a second per \
             endpoint; fetches stay under both and wait out any 429.",
        ),
    },
    CardSpec {
        kind: IntegrationKind::Quickbooks,
        provider: "quickbooks",
        title: "QuickBooks Online",
        blurb: "Native sync of unpaid invoices over OAuth; pick the company during consent.",
        rate_limits: Some(
            "QuickBooks allows 10 requests a second, 500 a minute and 10 at once per company, shared \
             with its other apps; fetches use up to 10 a second and 8 at once.",
        ),
    },
    CardSpec {
        kind: IntegrationKind::Zoho,
        provider: "zoho",
        title: "Zoho Books",
        blurb: "Native sync over OAuth in any Zoho data centre; you choose the organization.",
        rate_limits: Some(
            "Zoho Books allows 100 requests a minute per organization and a daily quota by plan \
             (1,000 to 10,000), shared with its other apps; fetches stay under 100 a minute.",
        ),
    },
    CardSpec {
        kind: IntegrationKind::Files,
        provider: "file",
        title: "Files",
        blurb: "No supported accounting system? Drop a CSV, Excel or ZIP export on the window.",
        rate_limits: None,
    },
    CardSpec {
        kind: IntegrationKind::Agency,
        provider: "agency",
        title: "Debitura (collection agency)",
        blurb: "Where cases are submitted: an API key from app.debitura.com and its environment.",
        rate_limits: Some(
            "Debitura allows 2,000 requests a minute, 20,000 an hour and 100,000 a day per API key; \
             submissions and status checks stay under them.",
        ),
    },
];

impl Engine {
    pub async fn integrations(&self) -> Result<Vec<IntegrationCard>, EngineError> {
        let now = self.clock().now();
        let (connections, quotas, last_import) = self
            .with_store(move |store| {
                let connections = store.list_connections()?;
                // One per card, in `CARDS` order.
                let quotas = CARDS
                    .iter()
                    .map(|spec| daily_quota_seen(store, spec.provider, now))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok((connections, quotas, store.get_setting::<LastImport>(LAST_IMPORT_KEY)?))
            })
            .await?;
        let mut cards = Vec::with_capacity(CARDS.len());
        for (spec, daily_quota) in CARDS.iter().zip(quotas) {
            let connection = connections.iter().find(|c| c.provider == spec.provider);
            let mut card = card(spec, connection);
            card.daily_quota = daily_quota;
            let provider = match spec.kind {
                IntegrationKind::Quickbooks => Some(OAuthProvider::Quickbooks),
                IntegrationKind::Zoho => Some(OAuthProvider::Zoho),
                IntegrationKind::Files => {
                    if let Some(last) = &last_import {
                        card.account = Some(last.file_name.clone());
                        card.last_success_at = Some(last.at.to_rfc3339());
                    }
                    None
                }
                _ => None,
            };
            if let Some(provider) = provider {
                card.oauth = Some(self.oauth_health(provider, connection).await?);
            }
            cards.push(card);
        }
        Ok(cards)
    }

    async fn oauth_health(
        &self,
        provider: OAuthProvider,
        connection: Option<&ConnectionRecord>,
    ) -> Result<OAuthHealth, EngineError> {
        let settings = self.oauth_client_settings(provider).await?;
        let needs_organization = provider == OAuthProvider::Zoho
            && connection.is_some_and(|c| c.account_id.is_empty() && c.status != StoredStatus::Disconnected);
        Ok(OAuthHealth {
            provider,
            environment: settings.environment,
            client_ready: settings.ready,
            redirect: settings.redirect,
            refresh_token_issued_at: connection.and_then(|c| c.refresh_token_issued_at).map(|t| t.to_rfc3339()),
            data_centre: connection.filter(|_| provider == OAuthProvider::Zoho).map(|c| c.environment.clone()),
            needs_organization,
            connecting: self.oauth_connecting(provider).await,
        })
    }
}

fn card(spec: &CardSpec, connection: Option<&ConnectionRecord>) -> IntegrationCard {
    let status = match connection.map(|c| c.status) {
        None | Some(StoredStatus::Disconnected) => ConnectionStatus::NotConnected,
        Some(StoredStatus::Connected) => ConnectionStatus::Connected,
        Some(StoredStatus::NeedsReconnect) => ConnectionStatus::NeedsReconnect,
        Some(StoredStatus::Error) => ConnectionStatus::Error,
    };
    IntegrationCard {
        kind: spec.kind,
        title: spec.title.to_string(),
        blurb: spec.blurb.to_string(),
        status,
        account: connection.map(|c| c.display_name.clone()),
        environment: connection.map(|c| c.environment.clone()),
        last_success_at: connection.and_then(|c| c.last_success_at).map(|t| t.to_rfc3339()),
        token_expires_at: connection.and_then(|c| c.token_expires_at).map(|t| t.to_rfc3339()),
        last_error: connection
            .and_then(|c| c.last_error.as_ref())
            .and_then(|e| serde_json::from_value::<UiError>(e.clone()).ok()),
        oauth: None,
        rate_limits: spec.rate_limits.map(str::to_string),
        daily_quota: None,
    }
}

/// The settings key of a source's daily quota as last seen; `source` is its connection id.
fn daily_quota_key(source: &str) -> String {
    format!("daily_quota.{source}")
}

/// Keeps the daily quota a fetch from `source` ended with, so its card can show it later.
pub(crate) fn remember_daily_quota(
    store: &Store,
    source: &str,
    quota: DailyQuota,
    now: DateTime<Utc>,
) -> Result<(), casebridge_store::StoreError> {
    let seen = DailyQuotaSeen {
        used: quota.used,
        limit: quota.limit,
        counted_at: now.to_rfc3339(),
        resets_at: quota
            .resets_in_secs
            .and_then(|secs| i64::try_from(secs).ok())
            .map(|secs| (now + Duration::seconds(secs)).to_rfc3339()),
    };
    store.set_setting(&daily_quota_key(source), &seen, now)
}

/// `source`'s daily quota as last seen, while that count still stands: until the reset time
/// the source gave, else until the end of the UTC day it was counted on.
fn daily_quota_seen(
    store: &Store,
    source: &str,
    now: DateTime<Utc>,
) -> Result<Option<DailyQuotaSeen>, casebridge_store::StoreError> {
    let Some(seen) = store.get_setting::<DailyQuotaSeen>(&daily_quota_key(source))? else {
        return Ok(None);
    };
    let parse = |t: &str| DateTime::parse_from_rfc3339(t).ok().map(|t| t.with_timezone(&Utc));
    let still_counts = match (seen.resets_at.as_deref().and_then(parse), parse(&seen.counted_at)) {
        (Some(resets_at), _) => now < resets_at,
        (None, Some(counted_at)) => counted_at.date_naive() == now.date_naive(),
        (None, None) => false,
    };
    Ok(still_counts.then_some(seen))
}

/// The settings key of the last file import, shown on the Files card.
const LAST_IMPORT_KEY: &str = "import.last";

/// The last file import that wrote invoices.
#[derive(Debug, Serialize, Deserialize)]
struct LastImport {
    file_name: String,
    at: DateTime<Utc>,
}

/// Records a finished file import for the Files card.
pub(crate) fn remember_import(
    store: &Store,
    file_name: &str,
    now: DateTime<Utc>,
) -> Result<(), casebridge_store::StoreError> {
    store.set_setting(LAST_IMPORT_KEY, &LastImport { file_name: file_name.to_owned(), at: now }, now)
}
