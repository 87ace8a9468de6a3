//! `casebridge://` links: OAuth callbacks forwarded by the HTTPS bounce page.
//!
//! A link reaches the running app directly (macOS, or a link opened while it
//! runs) or through a second launch that single-instance hands over with its
//! arguments (Windows, Linux: the desktop entry passes the URL as `%u`). Either
//! way it lands in `received`: `casebridge://oauth/callback?…` goes to the
//! engine, which completes the pending sign-in or refuses a link that matches
//! none, and the outcome is sent to the window as `oauth://finished`. Any link
//! brings the window to the front. Query and fragment are never logged: an
//! OAuth callback carries the authorization code and state there.

use casebridge_engine::api::OAuthFinished;
use tauri::{App, AppHandle, Emitter, Manager};
use tauri_plugin_deep_link::DeepLinkExt;
use url::Url;

use crate::engine_slot::EngineSlot;
use crate::window;

/// Event with the outcome of a deep-link sign-in; the payload is `OAuthFinished`.
pub const OAUTH_FINISHED: &str = "oauth://finished";

pub const SCHEME: &str = "casebridge";

pub fn listen(app: &App) {
    let handle = app.handle().clone();
    app.deep_link().on_open_url(move |event| {
        for url in event.urls() {
            received(&handle, &url);
        }
    });
    // A link that started the app arrives as an argument, not as an event.
    match app.deep_link().get_current() {
        Ok(Some(urls)) => urls.iter().for_each(|url| received(app.handle(), url)),
        Ok(None) => {}
        Err(error) => tracing::warn!(%error, "could not read the launch deep link"),
    }
    register_for_appimage(app);
}

fn received(app: &AppHandle, url: &Url) {
    if url.scheme() != SCHEME {
        tracing::warn!(
            scheme = url.scheme(),
            "ignored a link with a foreign scheme"
        );
        return;
    }
    window::focus_main(app);
    if url.host_str() != Some("oauth") || url.path() != "/callback" {
        tracing::info!(link = %redacted(url), "deep link received; nothing handles it");
        return;
    }
    tracing::info!(link = %redacted(url), "sign-in callback received");
    let app = app.clone();
    let link = url.to_string();
    tauri::async_runtime::spawn(async move {
        let finished = match app.state::<EngineSlot>().get().await {
            Ok(engine) => match engine.complete_deep_link(&link).await {
                Ok(connection) => OAuthFinished { connection: Some(connection), error: None },
                Err(error) => OAuthFinished { connection: None, error: Some(error.to_ui()) },
            },
            Err(error) => OAuthFinished { connection: None, error: Some(error.to_ui()) },
        };
        if let Some(error) = &finished.error {
            tracing::warn!(code = %error.code, "sign-in callback refused or failed");
        }
        if let Err(error) = app.emit(OAUTH_FINISHED, &finished) {
            tracing::warn!(%error, "sign-in outcome not delivered to the window");
        }
    });
}

/// The link without query or fragment, safe for logs.
pub fn redacted(url: &Url) -> String {
    let mut safe = url.clone();
    safe.set_query(None);
    safe.set_fragment(None);
    safe.to_string()
}

/// Installers (deb, msi, nsis, dmg) declare the scheme; an AppImage has no
/// installer, so it registers itself when it runs. Elsewhere registering at
/// runtime would only litter ~/.local/share/applications with entries that
/// point into a build folder.
fn register_for_appimage(app: &App) {
    if cfg!(target_os = "linux") && std::env::var_os("APPIMAGE").is_some() {
        if let Err(error) = app.deep_link().register_all() {
            tracing::warn!(%error, "could not register the casebridge:// scheme");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_drops_the_authorization_code_and_state() {
        let url = Url::parse("casebridge://oauth/quickbooks/callback?code=SECRET&state=S#frag")
            .expect("valid");
        let safe = redacted(&url);
        assert_eq!(safe, "casebridge://oauth/quickbooks/callback");
        assert!(!safe.contains("SECRET"));
    }

    #[test]
    fn redaction_keeps_a_link_without_query_as_is() {
        let url = Url::parse("casebridge://open").expect("valid");
        assert_eq!(redacted(&url), "casebridge://open");
    }
}
