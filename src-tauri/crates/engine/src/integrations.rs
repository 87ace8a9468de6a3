//! The Integrations page: one card per source and one for the agency.
//!
//! A card reports what this build can do; an integration that is not built
//! yet says so instead of offering a button that does nothing.

use casebridge_store::{ConnectionRecord, ConnectionStatus as StoredStatus};

use crate::api::{
    Availability, ConnectionStatus, IntegrationCard, IntegrationKind, OAuthHealth, OAuthProvider, UiError,
};
use crate::{Engine, EngineError};

struct CardSpec {
    kind: IntegrationKind,
    provider: &'static str,
    title: &'static str,
    blurb: &'static str,
    availability: fn() -> Availability,
}

fn not_built(note: &str) -> Availability {
    Availability::NotBuiltYet { note: note.to_string() }
}

const CARDS: [CardSpec; 5] = [
    CardSpec {
        kind: IntegrationKind::Stripe,
        provider: "stripe",
        title: "Stripe",
        blurb: "Native sync of open invoices with a read-only restricted key.",
        availability: || Availability::Available,
    },
    CardSpec {
        kind: IntegrationKind::Quickbooks,
        provider: "quickbooks",
        title: "QuickBooks Online",
        blurb: "Native sync of unpaid invoices over OAuth; pick the company during consent.",
        availability: || Availability::Available,
    },
    CardSpec {
        kind: IntegrationKind::Zoho,
        provider: "zoho",
        title: "Zoho Books",
        blurb: "Native sync over OAuth in any Zoho data centre; you choose the organization.",
        availability: || Availability::Available,
    },
    CardSpec {
        kind: IntegrationKind::Files,
        provider: "file",
        title: "Files",
        blurb: "No supported accounting system? Drop a CSV, Excel or ZIP export on the window.",
        availability: || not_built("File import arrives with the import feature."),
    },
    CardSpec {
        kind: IntegrationKind::Agency,
        provider: "agency",
        title: "Debitura (collection agency)",
        blurb: "Where cases are submitted: an API key from app.debitura.com and its environment.",
        availability: || Availability::Available,
    },
];

impl Engine {
    pub async fn integrations(&self) -> Result<Vec<IntegrationCard>, EngineError> {
        let connections = self.with_store(|store| Ok(store.list_connections()?)).await?;
        let mut cards = Vec::with_capacity(CARDS.len());
        for spec in &CARDS {
            let connection = connections.iter().find(|c| c.provider == spec.provider);
            let mut card = card(spec, connection);
            let provider = match spec.kind {
                IntegrationKind::Quickbooks => Some(OAuthProvider::Quickbooks),
                IntegrationKind::Zoho => Some(OAuthProvider::Zoho),
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
        availability: (spec.availability)(),
        status,
        account: connection.map(|c| c.display_name.clone()),
        environment: connection.map(|c| c.environment.clone()),
        last_success_at: connection.and_then(|c| c.last_success_at).map(|t| t.to_rfc3339()),
        token_expires_at: connection.and_then(|c| c.token_expires_at).map(|t| t.to_rfc3339()),
        last_error: connection
            .and_then(|c| c.last_error.as_ref())
            .and_then(|e| serde_json::from_value::<UiError>(e.clone()).ok()),
        oauth: None,
    }
}
