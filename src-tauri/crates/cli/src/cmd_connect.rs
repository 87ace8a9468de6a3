//! `casebridge connect quickbooks|zoho`: prints the sign-in link (and opens the browser unless
//! `--no-browser`), waits for the loopback callback, then shows the connected company or lets
//! the user choose the Zoho organization (`--organization ID`, or a number on stdin).

use std::io::{BufRead, Write};
use std::sync::Arc;

use casebridge_engine::api::{
    BeginConnectRequest, ChooseOrganizationRequest, OAuthConnection, OAuthProvider, ZohoOrganization,
};
use casebridge_engine::{AuthError, Browser, Engine, EngineError};
use clap::{Args, ValueEnum};

#[derive(Clone, Copy, ValueEnum)]
pub enum OAuthSource {
    Quickbooks,
    Zoho,
}

impl From<OAuthSource> for OAuthProvider {
    fn from(source: OAuthSource) -> Self {
        match source {
            OAuthSource::Quickbooks => OAuthProvider::Quickbooks,
            OAuthSource::Zoho => OAuthProvider::Zoho,
        }
    }
}

#[derive(Args)]
pub struct ConnectArgs {
    source: OAuthSource,
    /// Zoho: the organization to read (else you are asked). QuickBooks: the company you
    /// expect to pick on the consent page; a different one is refused.
    #[arg(long, value_name = "ID")]
    organization: Option<String>,
    /// Only print the sign-in link; do not open a browser.
    #[arg(long)]
    no_browser: bool,
    /// Seconds to wait for the browser.
    #[arg(long, default_value_t = 300)]
    timeout: u32,
}

/// For `--no-browser`: the link is printed by the command itself.
struct PrintOnly;

impl Browser for PrintOnly {
    fn open(&self, _url: &url::Url) -> Result<(), AuthError> {
        Ok(())
    }
}

pub async fn run(engine: &Engine, args: ConnectArgs) -> Result<(), EngineError> {
    let provider = OAuthProvider::from(args.source);
    if args.no_browser {
        engine.set_browser(Arc::new(PrintOnly));
    }
    let started = engine
        .begin_oauth_connect(BeginConnectRequest { provider, timeout_secs: Some(args.timeout) })
        .await?;
    if let Some(warning) = &started.warning {
        eprintln!("warning: {} — {}", warning.message, warning.hint);
    }
    println!("Sign in to {} in your browser (waiting up to {} s):\n  {}", name(provider), started.timeout_secs, started.authorize_url);
    let connection = engine.finish_oauth_connect().await?;
    let connection = match provider {
        OAuthProvider::Quickbooks => check_company(engine, connection, args.organization.as_deref()).await?,
        OAuthProvider::Zoho if connection.needs_organization => {
            let id = match args.organization {
                Some(id) => id,
                None => ask_organization(&connection.organizations)?,
            };
            engine.choose_zoho_organization(ChooseOrganizationRequest { organization_id: id }).await?
        }
        OAuthProvider::Zoho => connection,
    };
    println!(
        "connected to {} {} ({})",
        name(provider),
        connection.company.as_deref().unwrap_or("(unnamed)"),
        connection.account_id.as_deref().unwrap_or("")
    );
    Ok(())
}

fn name(provider: OAuthProvider) -> &'static str {
    match provider {
        OAuthProvider::Quickbooks => "QuickBooks Online",
        OAuthProvider::Zoho => "Zoho Books",
    }
}

/// QuickBooks: the company is picked on the consent page; `--organization` only checks it.
async fn check_company(
    engine: &Engine,
    connection: OAuthConnection,
    expected: Option<&str>,
) -> Result<OAuthConnection, EngineError> {
    match expected {
        Some(id) if connection.account_id.as_deref() != Some(id) => {
            engine.disconnect_oauth(OAuthProvider::Quickbooks).await?;
            Err(EngineError::InvalidInput {
                field: "organization",
                reason: format!(
                    "company {} was picked on the consent page, not {id}; connect again and pick {id}",
                    connection.account_id.as_deref().unwrap_or("?")
                ),
            })
        }
        _ => Ok(connection),
    }
}

/// Lists the organizations and reads the user's choice (a number or an id) from stdin.
fn ask_organization(organizations: &[ZohoOrganization]) -> Result<String, EngineError> {
    let listing: Vec<String> = organizations
        .iter()
        .enumerate()
        .map(|(i, o)| {
            format!(
                "  {}. {} ({}{}{})",
                i + 1,
                o.name,
                o.organization_id,
                o.currency_code.as_deref().map(|c| format!(", {c}")).unwrap_or_default(),
                if o.is_default { ", Zoho's default" } else { "" }
            )
        })
        .collect();
    let stdin = std::io::stdin();
    let unanswerable = |reason: &str| EngineError::InvalidInput {
        field: "organization",
        reason: format!("{reason}; pass --organization with one of:\n{}", listing.join("\n")),
    };
    if organizations.is_empty() {
        return Err(unanswerable("the signed-in user has no Zoho Books organization"));
    }
    println!("Which organization should Casebridge read?\n{}", listing.join("\n"));
    print!("number or id: ");
    std::io::stdout().flush().ok();
    let mut line = String::new();
    let read = stdin.lock().read_line(&mut line).map_err(|_| unanswerable("could not read stdin"))?;
    if read == 0 {
        return Err(unanswerable("no answer on stdin"));
    }
    let answer = line.trim();
    let by_number = answer
        .parse::<usize>()
        .ok()
        .and_then(|n| n.checked_sub(1))
        .and_then(|i| organizations.get(i));
    by_number
        .or_else(|| organizations.iter().find(|o| o.organization_id == answer))
        .map(|o| o.organization_id.clone())
        .ok_or_else(|| unanswerable(&format!("{answer:?} is none of them")))
}
