//! Opening the provider's consent page. A trait, so tests and the CLI's `--no-browser` mode can
//! follow or print the URL instead of launching a browser.

use url::Url;

use crate::error::{AuthError, Result};

/// Something that can show the user a URL.
pub trait Browser: Send + Sync {
    fn open(&self, url: &Url) -> Result<()>;
}

/// The user's default browser, through the `open` crate.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemBrowser;

impl Browser for SystemBrowser {
    fn open(&self, url: &Url) -> Result<()> {
        open::that_detached(url.as_str()).map_err(|source| AuthError::Browser { source })
    }
}
