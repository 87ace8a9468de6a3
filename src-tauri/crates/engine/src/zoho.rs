//! The Zoho Books connection: the data centre from the sign-in callback (`location`,
//! `accounts-server`) and the API host from the token response (`api_domain`), the
//! organization the user chooses (never the first one silently), unpaid invoices fetched into
//! the cache, and each selected invoice re-read right before it is submitted.
//!
//! Token requests go to the user's data centre; a callback naming an accounts server that is
//! not Zoho's is refused by the auth crate (demo mode's own fake is the configured server and
//! so trusted as it is).

use std::sync::Arc;

use casebridge_auth::{AuthorizedFlow, OAuthClient, ProviderSettings};
use casebridge_providers::zoho::{ContactLookup, ZohoClient, ZohoOptions};
use casebridge_providers::Rechecked;
use casebridge_store::{ConnectionRecord, ConnectionStatus, NewAuditEntry};
use serde::{Deserialize, Serialize};
use url::Url;

use crate::api::{
    ChooseOrganizationRequest, FetchRequest, FetchSummary, OAuthConnection, OAuthEnvironment, OAuthProvider,
    ZohoOrganization,
};
use crate::fetching::{fetch_filter, selected_ids, FetchSource};
use crate::oauth::VaultBearer;
use crate::{Engine, EngineError, ProgressSink};

const PROVIDER: OAuthProvider = OAuthProvider::Zoho;
const SOURCE: FetchSource = FetchSource { name: "Zoho Books", connection_id: "zoho" };
/// Where Zoho's US data centre serves the API, for a token response without `api_domain`.
const DEFAULT_API_DOMAIN: &str = "https://www.zohoapis.com";

/// What SQLite keeps about the Zoho connection (no token).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct StoredZoho {
    /// Data centre, e.g. `eu`.
    location: Option<String>,
    /// Where token requests go (the callback's `accounts-server`).
    accounts_server: Option<String>,
    /// The API host (`api_domain` of the token response).
    api_domain: String,
    /// The chosen organization; `None` until the user picks one.
    organization: Option<ZohoOrganization>,
}

fn wire_org(o: casebridge_providers::zoho::ZohoOrganization) -> ZohoOrganization {
    ZohoOrganization {
        organization_id: o.id,
        name: o.name,
        currency_code: o.currency,
        is_default: o.is_default,
        is_active: o.active,
    }
}

fn same_origin(a: &str, b: &Url) -> bool {
    Url::parse(a).is_ok_and(|a| a.origin() == b.origin())
}

impl Engine {
    /// The API host: the sandbox's fake in demo mode, else the token response's.
    fn zoho_api_base(&self, stored: &str) -> String {
        self.inner.sandbox_urls.zoho.clone().unwrap_or_else(|| stored.to_owned())
    }

    /// `client`, sending token requests to `server` (the user's data centre) unless that is
    /// the configured server already.
    fn zoho_client_for(client: &OAuthClient, token_url: &str, server: Option<&Url>) -> Result<OAuthClient, EngineError> {
        match server {
            Some(server) if !same_origin(token_url, server) => Ok(client.with_zoho_accounts_server(server)?),
            _ => Ok(client.clone()),
        }
    }

    /// The token client of the stored connection, at its data centre.
    pub(crate) async fn zoho_token_client(&self, client: OAuthClient) -> Result<OAuthClient, EngineError> {
        let app = self.oauth_app(PROVIDER).await?;
        let stored = match self.zoho_connection().await {
            Ok((_, stored)) => stored,
            Err(EngineError::NotConnected { .. }) => return Ok(client),
            Err(other) => return Err(other),
        };
        let server = stored.accounts_server.as_deref().and_then(|s| Url::parse(s).ok());
        match server {
            Some(server) if !same_origin(&app.settings.token_url, &server) => {
                // Refused unless the server is Zoho's (https, a known data centre): the client
                // secret and the refresh token go there.
                client.with_zoho_accounts_server(&server)?;
                // Refresh and revoke both at the user's data centre (zoho.md §1).
                let origin = server.origin().ascii_serialization();
                Ok(OAuthClient::new(ProviderSettings {
                    token_url: format!("{origin}/oauth/v2/token"),
                    revoke_url: format!("{origin}/oauth/v2/token/revoke"),
                    ..app.settings
                })?)
            }
            _ => Ok(client),
        }
    }

    pub(crate) async fn finish_zoho_sign_in(
        &self,
        client: &OAuthClient,
        authorized: AuthorizedFlow,
    ) -> Result<OAuthConnection, EngineError> {
        let app = self.oauth_app(PROVIDER).await?;
        let location = authorized.location.clone();
        let server = authorized.accounts_server.clone();
        let client = Self::zoho_client_for(client, &app.settings.token_url, server.as_ref())?;
        let now = self.clock().now();
        let grant = client.exchange_code(authorized, now).await?;
        self.oauth().vault.save(SOURCE.connection_id, &grant.tokens).await?;
        let api_domain = grant.api_domain.clone().unwrap_or_else(|| DEFAULT_API_DOMAIN.into());
        let previous = self.zoho_connection().await.ok().and_then(|(_, s)| s.organization);
        let api = ZohoClient::new(&self.zoho_api_base(&api_domain), ZohoOptions::default())?;
        let organizations: Vec<ZohoOrganization> =
            api.organizations(&self.bearer(PROVIDER, client.clone())).await?.into_iter().map(wire_org).collect();
        // A reconnect keeps the organization chosen before, if the user still has it.
        let organization =
            previous.and_then(|p| organizations.iter().find(|o| o.organization_id == p.organization_id).cloned());
        let stored = StoredZoho {
            location: location.clone(),
            accounts_server: server.map(|s| s.to_string().trim_end_matches('/').to_owned()),
            api_domain,
            organization: organization.clone(),
        };
        self.save_zoho(&stored, Some((grant.tokens.expires_at, grant.tokens.refresh_issued_at)), "zoho.connected")
            .await?;
        Ok(self.zoho_view(&stored, organizations))
    }

    fn zoho_view(&self, stored: &StoredZoho, organizations: Vec<ZohoOrganization>) -> OAuthConnection {
        let chosen = stored.organization.clone();
        OAuthConnection {
            provider: PROVIDER,
            environment: OAuthEnvironment::Production,
            company: chosen.as_ref().map(|o| o.name.clone()),
            account_id: chosen.as_ref().map(|o| o.organization_id.clone()),
            data_centre: stored.location.clone(),
            needs_organization: chosen.is_none(),
            organizations: if chosen.is_none() { organizations } else { Vec::new() },
            warning: None,
        }
    }

    async fn save_zoho(
        &self,
        stored: &StoredZoho,
        token_times: Option<(chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>)>,
        action: &'static str,
    ) -> Result<(), EngineError> {
        let now = self.clock().now();
        let existing = self.with_store(|s| Ok(s.get_connection(SOURCE.connection_id)?)).await?;
        let settings = serde_json::to_value(stored).map_err(|source| EngineError::Serialize { source })?;
        let (account_id, display_name) = match &stored.organization {
            Some(o) => (o.organization_id.clone(), o.name.clone()),
            None => (String::new(), "Zoho Books (no organization chosen)".into()),
        };
        let record = ConnectionRecord {
            id: SOURCE.connection_id.into(),
            provider: "zoho".into(),
            account_id,
            display_name,
            environment: stored.location.clone().unwrap_or_else(|| "com".into()),
            settings,
            status: ConnectionStatus::Connected,
            last_success_at: existing.as_ref().and_then(|e| e.last_success_at),
            last_error: None,
            token_expires_at: token_times.map(|t| t.0).or(existing.as_ref().and_then(|e| e.token_expires_at)),
            refresh_token_issued_at: token_times
                .map(|t| t.1)
                .or(existing.as_ref().and_then(|e| e.refresh_token_issued_at)),
            created_at: existing.as_ref().map_or(now, |e| e.created_at),
            updated_at: now,
        };
        self.with_store(move |s| {
            s.upsert_connection(&record)?;
            s.append_audit(&NewAuditEntry {
                at: now,
                actor: "user".into(),
                action: action.into(),
                subject: record.account_id.clone(),
                details: serde_json::json!({ "dataCentre": record.environment }),
            })?;
            Ok(())
        })
        .await
    }

    async fn zoho_connection(&self) -> Result<(ConnectionRecord, StoredZoho), EngineError> {
        let record = self
            .with_store(|s| Ok(s.get_connection(SOURCE.connection_id)?))
            .await?
            .ok_or(EngineError::NotConnected { source_name: SOURCE.name })?;
        let stored: StoredZoho = serde_json::from_value(record.settings.clone())
            .map_err(|source| EngineError::CorruptCache { what: "the Zoho connection".into(), source })?;
        Ok((record, stored))
    }

    async fn zoho_client(&self) -> Result<(ZohoClient, VaultBearer, StoredZoho), EngineError> {
        self.zoho_client_with(ZohoOptions::default()).await
    }

    async fn zoho_client_with(&self, options: ZohoOptions) -> Result<(ZohoClient, VaultBearer, StoredZoho), EngineError> {
        let (_, stored) = self.zoho_connection().await?;
        let token_client = self.token_client(PROVIDER).await?;
        let api = ZohoClient::new(&self.zoho_api_base(&stored.api_domain), options)?;
        Ok((api, self.bearer(PROVIDER, token_client), stored))
    }

    /// The chosen organization's id (the `account` of its invoices' source refs), if any.
    pub(crate) async fn zoho_organization_id(&self) -> Option<String> {
        let (_, stored) = self.zoho_connection().await.ok()?;
        stored.organization.map(|o| o.organization_id)
    }

    /// A client that re-reads invoices without their contacts (the debtor is at the agency
    /// already), so an at-source check costs one request of the small daily quota, not two.
    pub(crate) async fn zoho_invoice_reader(&self) -> Result<(ZohoClient, VaultBearer), EngineError> {
        let options = ZohoOptions { contacts: ContactLookup::None, ..ZohoOptions::default() };
        let (api, bearer, _) = self.zoho_client_with(options).await?;
        Ok((api, bearer))
    }

    /// The organizations the signed-in user can reach, to choose from.
    pub async fn zoho_organizations(&self) -> Result<Vec<ZohoOrganization>, EngineError> {
        let (api, bearer, _) = self.zoho_client().await?;
        match api.organizations(&bearer).await {
            Ok(list) => Ok(list.into_iter().map(wire_org).collect()),
            Err(error) => {
                let error = EngineError::from(error);
                self.record_oauth_error(PROVIDER, &error).await?;
                Err(error)
            }
        }
    }

    /// Connects the organization the user picked; fetches read it from now on.
    pub async fn choose_zoho_organization(
        &self,
        request: ChooseOrganizationRequest,
    ) -> Result<OAuthConnection, EngineError> {
        let organizations = self.zoho_organizations().await?;
        let wanted = request.organization_id.trim();
        let chosen = organizations
            .iter()
            .find(|o| o.organization_id == wanted)
            .cloned()
            .ok_or_else(|| EngineError::UnknownOrganization { id: wanted.to_owned() })?;
        let (_, mut stored) = self.zoho_connection().await?;
        stored.organization = Some(chosen);
        self.save_zoho(&stored, None, "zoho.organization_chosen").await?;
        Ok(self.zoho_view(&stored, organizations))
    }

    /// The connection as the Integrations page shows it, if any.
    pub async fn oauth_connection(&self, provider: OAuthProvider) -> Result<Option<OAuthConnection>, EngineError> {
        let id = provider.connection_id();
        let Some(record) = self.with_store(move |s| Ok(s.get_connection(id)?)).await? else { return Ok(None) };
        Ok(Some(match provider {
            OAuthProvider::Zoho => {
                let (_, stored) = self.zoho_connection().await?;
                self.zoho_view(&stored, Vec::new())
            }
            OAuthProvider::Quickbooks => OAuthConnection {
                provider,
                environment: if record.environment == "sandbox" {
                    OAuthEnvironment::Sandbox
                } else {
                    OAuthEnvironment::Production
                },
                company: Some(record.display_name),
                account_id: Some(record.account_id),
                data_centre: None,
                needs_organization: false,
                organizations: Vec::new(),
                warning: None,
            },
        }))
    }

    /// Fetches the chosen organization's unpaid, overdue and partially paid invoices into the
    /// cache.
    pub async fn fetch_zoho(&self, request: FetchRequest, sink: Arc<dyn ProgressSink>) -> Result<FetchSummary, EngineError> {
        let filter = fetch_filter(&request)?;
        let (api, bearer, stored) = match self.zoho_client().await {
            Ok(client) => client,
            Err(error) => {
                self.record_oauth_error(PROVIDER, &error).await?;
                return Err(error);
            }
        };
        let organization = stored.organization.ok_or(EngineError::OrganizationNotChosen)?;
        let job = self.start_fetch(SOURCE, sink).await;
        let result = api.fetch_unpaid(&bearer, &organization.organization_id, &filter, &job).await;
        self.finish_fetch(&job, result).await
    }

    /// Re-reads the chosen organization's invoices among `source_refs` right before they are
    /// queued; returns the references found settled, which leave the cache.
    pub(crate) async fn recheck_zoho_balances(&self, source_refs: &[String]) -> Result<Vec<String>, EngineError> {
        let Ok((_, stored)) = self.zoho_connection().await else { return Ok(Vec::new()) };
        let Some(organization) = stored.organization else { return Ok(Vec::new()) };
        let org = organization.organization_id;
        let ids = selected_ids(source_refs, casebridge_domain::Provider::Zoho, &org);
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let (api, bearer, _) = self.zoho_client().await?;
        let mut unpaid = Vec::new();
        let mut settled = Vec::new();
        for (source_ref, id) in ids {
            match api.fetch_invoice(&bearer, &org, &id).await? {
                Rechecked::Unpaid(fetched) => unpaid.push(fetched.invoice),
                Rechecked::Settled(_) => settled.push((source_ref, id)),
            }
        }
        self.forget_settled(unpaid, "zoho", &org, settled).await
    }
}
