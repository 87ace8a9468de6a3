//! The Stripe connection: a restricted key checked against the account,
//! fetching unpaid invoices into the cache, and re-reading each one's
//! balance right before it is submitted.
//!
//! The key lives only in the keychain; SQLite keeps the account id, mode and
//! name. In demo mode the base URL is the sandbox's Stripe fake.

use std::sync::Arc;

use casebridge_providers::stripe::{Rechecked, StripeAccount, StripeClient, StripeKey, StripeOptions};
use casebridge_store::secrets::{Secret, SecretKey};
use casebridge_store::{ConnectionRecord, ConnectionStatus, NewAuditEntry};
use serde::{Deserialize, Serialize};

use crate::api::{ConnectStripeRequest, FetchRequest, FetchSummary, StripeConnection, UiError};
use crate::fetching::{fetch_filter, selected_ids, FetchSource};
use crate::{Engine, EngineError, ProgressSink};

const CONNECTION_ID: &str = "stripe";
const SOURCE: FetchSource = FetchSource { name: "Stripe", connection_id: CONNECTION_ID };

fn secret_key() -> SecretKey {
    SecretKey::new("stripe", "api_key")
}

/// What SQLite keeps about the Stripe connection (no key).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct StoredStripe {
    account: StripeAccount,
    base_url: String,
}

impl Engine {
    fn stripe_base_url(&self) -> String {
        self.inner
            .sandbox_urls
            .stripe
            .clone()
            .unwrap_or_else(|| casebridge_providers::stripe::DEFAULT_BASE_URL.to_string())
    }

    /// Checks the key (invoice and customer read) and keeps it.
    pub async fn connect_stripe(&self, request: ConnectStripeRequest) -> Result<StripeConnection, EngineError> {
        let key_text = request.api_key.trim().to_string();
        let key = StripeKey::parse(&key_text)?;
        let warning = key.warning().map(|w| UiError {
            code: w.code().to_string(),
            message: w.message().to_string(),
            hint: w.hint().to_string(),
        });
        let base_url = self.stripe_base_url();
        let client = StripeClient::new(&base_url, key, StripeOptions::default())?;
        let account = client.validate().await?;
        self.secrets().set(&secret_key(), &Secret::new(key_text))?;
        let now = self.clock().now();
        let stored = StoredStripe { account: account.clone(), base_url };
        let settings = serde_json::to_value(&stored).map_err(|source| EngineError::Serialize { source })?;
        self.with_store(move |store| {
            store.upsert_connection(&ConnectionRecord {
                id: CONNECTION_ID.into(),
                provider: "stripe".into(),
                account_id: stored.account.id.clone(),
                display_name: stored.account.name.clone().unwrap_or_else(|| stored.account.id.clone()),
                environment: format!("{:?}", stored.account.mode).to_lowercase(),
                settings,
                status: ConnectionStatus::Connected,
                last_success_at: None,
                last_error: None,
                token_expires_at: None,
                refresh_token_issued_at: None,
                created_at: now,
                updated_at: now,
            })?;
            store.append_audit(&NewAuditEntry {
                at: now,
                actor: "user".into(),
                action: "stripe.connected".into(),
                subject: stored.account.id.clone(),
                details: serde_json::json!({ "mode": stored.account.mode }),
            })?;
            Ok(())
        })
        .await?;
        Ok(StripeConnection {
            account_id: account.id,
            account_name: account.name,
            mode: format!("{:?}", account.mode).to_lowercase(),
            warning,
        })
    }

    /// The connected account's id (the `account` of its invoices' source refs), if any.
    pub(crate) async fn stripe_account_id(&self) -> Result<Option<String>, EngineError> {
        Ok(self.with_store(|s| Ok(s.get_connection(CONNECTION_ID)?)).await?.map(|c| c.account_id))
    }

    pub(crate) async fn stripe_client(&self) -> Result<(StripeClient, StripeAccount), EngineError> {
        let record = self
            .with_store(|store| Ok(store.get_connection(CONNECTION_ID)?))
            .await?
            .ok_or(EngineError::NotConnected { source_name: "Stripe" })?;
        let stored: StoredStripe = serde_json::from_value(record.settings)
            .map_err(|source| EngineError::CorruptCache { what: "the Stripe connection".into(), source })?;
        let key = self.secrets().get(&secret_key())?.ok_or(EngineError::NotConnected { source_name: "Stripe" })?;
        // A demo's fake listens on a new port each start.
        let base_url = self.inner.sandbox_urls.stripe.clone().unwrap_or(stored.base_url);
        let client = StripeClient::new(&base_url, StripeKey::parse(key.expose())?, StripeOptions::default())?;
        Ok((client, stored.account))
    }

    /// Fetches unpaid invoices into the cache. A partial fetch keeps what it
    /// got and lists what failed; so does a cancelled one
    /// ([`Engine::cancel_fetch`]), whose summary says so.
    pub async fn fetch_stripe(&self, request: FetchRequest, sink: Arc<dyn ProgressSink>) -> Result<FetchSummary, EngineError> {
        let filter = fetch_filter(&request)?;
        let (client, account) = self.stripe_client().await?;
        let job = self.start_fetch(SOURCE, sink).await;
        let result = client.fetch_unpaid(&account, &filter, &job).await;
        self.finish_fetch(&job, result).await
    }

    /// Re-reads the connected account's Stripe invoices among `source_refs`
    /// right before they are queued, so the case carries today's balance; an
    /// invoice paid or voided since the fetch is dropped from the cache (and
    /// so from the selection, reported as not found). Invoices of an account
    /// that is no longer connected cannot be re-read and go as cached.
    /// Returns the selected references found settled at the source.
    pub(crate) async fn recheck_stripe_balances(&self, source_refs: &[String]) -> Result<Vec<String>, EngineError> {
        let connected = self.with_store(|s| Ok(s.get_connection(CONNECTION_ID)?)).await?;
        let Some(connected) = connected else { return Ok(Vec::new()) };
        let ids = selected_ids(source_refs, casebridge_domain::Provider::Stripe, &connected.account_id);
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let (client, account) = self.stripe_client().await?;
        let mut unpaid = Vec::new();
        let mut settled = Vec::new();
        for (source_ref, id) in ids {
            match client.fetch_invoice(&account, &id).await? {
                Rechecked::Unpaid(fetched) => unpaid.push(fetched.invoice),
                Rechecked::Settled(_) => settled.push((source_ref, id)),
            }
        }
        self.forget_settled(unpaid, "stripe", &account.id, settled).await
    }
}
