//! The loopback sign-in from start to tokens: listen, start the flow, open the browser, wait for
//! the callback, check it, exchange the code. Every way out after the flow started ends that
//! flow, so a failed or abandoned sign-in never blocks the next one.

use std::time::Duration;

use chrono::{DateTime, Utc};
use url::Url;

use crate::browser::Browser;
use crate::client::{OAuthClient, TokenGrant};
use crate::error::Result;
use crate::flow::FlowRegistry;
use crate::loopback::{LoopbackListener, LoopbackRedirect};

/// A finished sign-in: tokens (to store in the [`crate::TokenVault`]) and the provider's
/// identifiers of the connected company / data centre (plain settings, not secrets).
#[derive(Debug)]
pub struct SignedIn {
    pub grant: TokenGrant,
    /// QuickBooks company id.
    pub realm_id: Option<String>,
    /// Zoho data centre, e.g. `eu`.
    pub location: Option<String>,
    /// Zoho accounts server of that data centre.
    pub accounts_server: Option<Url>,
}

/// Runs a complete loopback sign-in (see the module docs). `timeout` bounds the wait for the
/// browser; `now` stamps the flow and the token expiry, which is therefore counted from before
/// the user's consent: it errs on the side of refreshing early.
pub async fn sign_in_with_loopback(
    registry: &FlowRegistry,
    client: &OAuthClient,
    browser: &dyn Browser,
    redirect: &LoopbackRedirect,
    timeout: Duration,
    now: DateTime<Utc>,
) -> Result<SignedIn> {
    let listener = LoopbackListener::bind(redirect).await?;
    let redirect_uri = listener.redirect_uri().clone();
    let (state, challenge) = registry.begin(client.provider(), redirect_uri.clone(), now)?;
    let waited = async {
        browser.open(&client.authorize_url(&state, &challenge, &redirect_uri))?;
        let callback = listener.wait(timeout).await?;
        registry.complete(callback)
    }
    .await;
    let authorized = match waited {
        Ok(authorized) => authorized,
        Err(err) => {
            // The one-shot listener is gone, so this flow can no longer complete.
            registry.cancel_flow(&state);
            return Err(err);
        }
    };
    let realm_id = authorized.realm_id.clone();
    let location = authorized.location.clone();
    let accounts_server = authorized.accounts_server.clone();
    let grant = client.exchange_code(authorized, now).await?;
    Ok(SignedIn {
        grant,
        realm_id,
        location,
        accounts_server,
    })
}
