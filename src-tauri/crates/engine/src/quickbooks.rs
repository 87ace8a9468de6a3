//! The QuickBooks Online connection: the company (`realmId`) from the sign-in callback, shown
//! by its name; unpaid invoices fetched into the cache; each selected invoice re-read right
//! before it is submitted.
//!
//! Tokens live in the keychain ([`crate::oauth`]); SQLite keeps the realm, the environment and
//! the company's name, country and home currency. In demo mode the API is the sandbox's fake.

use std::collections::HashMap;
use std::sync::Arc;

use casebridge_auth::{AuthError, AuthorizedFlow, OAuthClient};
use casebridge_providers::quickbooks::{QuickBooksClient, QuickBooksCompany, QuickBooksOptions};
use casebridge_providers::{ProviderError, Rechecked};
use casebridge_store::{ConnectionRecord, ConnectionStatus, NewAuditEntry};
use serde::{Deserialize, Serialize};

use crate::api::{FetchRequest, FetchSummary, OAuthConnection, OAuthEnvironment, OAuthProvider};
use crate::fetching::{fetch_filter, selected_ids, FetchSource};
use crate::oauth::VaultBearer;
use crate::{Engine, EngineError, ProgressSink};

const PROVIDER: OAuthProvider = OAuthProvider::Quickbooks;
const SOURCE: FetchSource = FetchSource { name: "QuickBooks Online", connection_id: "quickbooks" };

/// What SQLite keeps about the QuickBooks connection (no token).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct StoredQuickBooks {
    realm_id: String,
    environment: OAuthEnvironment,
    company: Option<QuickBooksCompany>,
}

fn environment_name(environment: OAuthEnvironment) -> &'static str {
    match environment {
        OAuthEnvironment::Sandbox => "sandbox",
        OAuthEnvironment::Production => "production",
    }
}

impl Engine {
    /// The API host: the sandbox's fake in demo mode, else Intuit's for the environment.
    fn quickbooks_api_base(&self, environment: OAuthEnvironment) -> String {
        match (&self.inner.sandbox_urls.quickbooks, environment) {
            (Some(fake), _) => fake.clone(),
            (None, OAuthEnvironment::Sandbox) => casebridge_providers::quickbooks::SANDBOX_BASE_URL.into(),
            (None, OAuthEnvironment::Production) => casebridge_providers::quickbooks::PRODUCTION_BASE_URL.into(),
        }
    }

    /// Stores the tokens of a finished sign-in, reads the company's name and records the
    /// connection.
    pub(crate) async fn finish_quickbooks_sign_in(
        &self,
        client: &OAuthClient,
        authorized: AuthorizedFlow,
    ) -> Result<OAuthConnection, EngineError> {
        let realm_id = authorized.realm_id.clone().ok_or(AuthError::MalformedCallback {
            reason: "it names no QuickBooks company (realmId)",
        })?;
        let now = self.clock().now();
        let grant = client.exchange_code(authorized, now).await?;
        self.oauth().vault.save(SOURCE.connection_id, &grant.tokens).await?;
        let app = self.oauth_app(PROVIDER).await?;
        let api = QuickBooksClient::new(&self.quickbooks_api_base(app.environment), &realm_id, QuickBooksOptions::default())?;
        let bearer = self.bearer(PROVIDER, client.clone());
        let company = api.company_info(&bearer).await?;
        let display_name = company.name.clone().unwrap_or_else(|| format!("Company {realm_id}"));
        let stored = StoredQuickBooks { realm_id: realm_id.clone(), environment: app.environment, company: Some(company) };
        let settings = serde_json::to_value(&stored).map_err(|source| EngineError::Serialize { source })?;
        let record = ConnectionRecord {
            id: SOURCE.connection_id.into(),
            provider: "quickbooks".into(),
            account_id: realm_id.clone(),
            display_name: display_name.clone(),
            environment: environment_name(app.environment).into(),
            settings,
            status: ConnectionStatus::Connected,
            last_success_at: None,
            last_error: None,
            token_expires_at: Some(grant.tokens.expires_at),
            refresh_token_issued_at: Some(grant.tokens.refresh_issued_at),
            created_at: now,
            updated_at: now,
        };
        self.with_store(move |s| {
            s.upsert_connection(&record)?;
            s.append_audit(&NewAuditEntry {
                at: now,
                actor: "user".into(),
                action: "quickbooks.connected".into(),
                subject: record.account_id.clone(),
                details: serde_json::json!({ "environment": record.environment }),
            })?;
            Ok(())
        })
        .await?;
        Ok(OAuthConnection {
            provider: PROVIDER,
            environment: app.environment,
            company: Some(display_name),
            account_id: Some(realm_id),
            data_centre: None,
            needs_organization: false,
            organizations: Vec::new(),
            warning: None,
        })
    }

    async fn quickbooks_connection(&self) -> Result<(ConnectionRecord, StoredQuickBooks), EngineError> {
        let record = self
            .with_store(|s| Ok(s.get_connection(SOURCE.connection_id)?))
            .await?
            .ok_or(EngineError::NotConnected { source_name: SOURCE.name })?;
        let stored: StoredQuickBooks = serde_json::from_value(record.settings.clone())
            .map_err(|source| EngineError::CorruptCache { what: "the QuickBooks connection".into(), source })?;
        Ok((record, stored))
    }

    /// The connected company's API client and a bearer source over the keychain.
    async fn quickbooks_client(&self) -> Result<(QuickBooksClient, VaultBearer, StoredQuickBooks), EngineError> {
        let (_, stored) = self.quickbooks_connection().await?;
        let token_client = self.token_client(PROVIDER).await?;
        let mut api = QuickBooksClient::new(
            &self.quickbooks_api_base(stored.environment),
            &stored.realm_id,
            QuickBooksOptions::default(),
        )?;
        if let Some(company) = stored.company.clone() {
            api = api.with_company(company);
        }
        Ok((api, self.bearer(PROVIDER, token_client), stored))
    }

    /// The connected company's realm id (the `account` of its invoices' source refs), if any.
    pub(crate) async fn quickbooks_account_id(&self) -> Option<String> {
        self.quickbooks_connection().await.ok().map(|(record, _)| record.account_id)
    }

    /// A client and bearer to re-read the connected company's invoices with.
    pub(crate) async fn quickbooks_reader(&self) -> Result<(QuickBooksClient, VaultBearer), EngineError> {
        let (api, bearer, _) = self.quickbooks_client().await?;
        Ok((api, bearer))
    }

    /// Fetches the connected company's unpaid invoices into the cache (partial fetches keep
    /// what they read and list what failed).
    pub async fn fetch_quickbooks(
        &self,
        request: FetchRequest,
        sink: Arc<dyn ProgressSink>,
    ) -> Result<FetchSummary, EngineError> {
        let filter = fetch_filter(&request)?;
        let (api, bearer, _) = match self.quickbooks_client().await {
            Ok(client) => client,
            Err(error) => {
                self.record_oauth_error(PROVIDER, &error).await?;
                return Err(error);
            }
        };
        let job = self.start_fetch(SOURCE, sink).await;
        let result = api.fetch_unpaid(&bearer, &filter, &job).await;
        self.finish_fetch(&job, result).await
    }

    /// Re-reads the connected company's invoices among `source_refs` right before they are
    /// queued (see the Stripe re-check); returns the references found settled, which leave
    /// the cache.
    pub(crate) async fn recheck_quickbooks_balances(&self, source_refs: &[String]) -> Result<Vec<String>, EngineError> {
        let Ok((record, _)) = self.quickbooks_connection().await else { return Ok(Vec::new()) };
        let ids = selected_ids(source_refs, casebridge_domain::Provider::QuickBooks, &record.account_id);
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let (api, bearer, _) = self.quickbooks_client().await?;
        // One `Id IN (…)` read for the whole selection (two requests per 100 invoices, not two
        // per invoice); an invoice that cannot be read stops the queueing with its error.
        let external: Vec<String> = ids.iter().map(|(_, id)| id.clone()).collect();
        let mut answers: HashMap<String, Result<Rechecked, ProviderError>> =
            api.fetch_invoices(&bearer, &external).await?.into_iter().collect();
        let mut unpaid = Vec::new();
        let mut settled = Vec::new();
        for (source_ref, id) in ids {
            // Every distinct id is answered once: a reference selected twice is done already.
            let Some(answer) = answers.remove(&id) else { continue };
            match answer? {
                Rechecked::Unpaid(fetched) => unpaid.push(fetched.invoice),
                Rechecked::Settled(_) => settled.push((source_ref, id)),
            }
        }
        self.forget_settled(unpaid, "quickbooks", &record.account_id, settled).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The desktop shell spawns every engine call on its multi-threaded runtime: these futures
    /// must be `Send`. Checked at compile time (the closure is type-checked, never run).
    #[test]
    fn quickbooks_futures_are_send() {
        fn send<T: Send>(_: T) {}
        let _ = |engine: &Engine, sink: Arc<dyn ProgressSink>, refs: &[String]| {
            send(engine.fetch_quickbooks(FetchRequest::default(), sink));
            send(engine.recheck_quickbooks_balances(refs));
        };
    }
}
