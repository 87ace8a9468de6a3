//! The loopback redirect: a one-shot HTTP listener on `127.0.0.1` that receives the browser's
//! redirect, shows a "you can close this window" page and hands the [`Callback`] back.
//!
//! It binds `127.0.0.1` even when the registered URI says `localhost`: the URI sent to the
//! provider keeps the host exactly as registered (providers compare strings), while listening on
//! every interface would let the local network deliver a forged answer. A registered URI without
//! a port means "any port" (RFC 8252 §7.3), so an ephemeral one is used; otherwise the first free
//! port of the registered list.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::extract::{RawQuery, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use oauth2::RedirectUrl;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use url::Url;

use crate::error::{AuthError, Result};
use crate::flow::Callback;

/// How the registered redirect names the loopback host; kept verbatim in the redirect URI.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoopbackHost {
    Localhost,
    Ip,
}

impl LoopbackHost {
    fn as_str(self) -> &'static str {
        match self {
            LoopbackHost::Localhost => "localhost",
            LoopbackHost::Ip => "127.0.0.1",
        }
    }
}

/// Which ports the listener may use.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Ports {
    /// Any port the OS hands out (`127.0.0.1:0`).
    Ephemeral,
    /// The first free one of these, in order (never empty).
    FirstFree(Vec<u16>),
}

/// A loopback redirect as registered with the provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoopbackRedirect {
    host: LoopbackHost,
    path: String,
    ports: Ports,
}

impl LoopbackRedirect {
    /// Any free port on `host`, answering at `path` (e.g. `/callback`).
    pub fn ephemeral(host: LoopbackHost, path: &str) -> Result<Self> {
        if !path.starts_with('/') {
            return Err(AuthError::InvalidRedirect {
                uri: path.to_owned(),
                reason: "the path must start with /",
            });
        }
        Ok(LoopbackRedirect {
            host,
            path: path.to_owned(),
            ports: Ports::Ephemeral,
        })
    }

    /// The registered redirect URIs of one provider app, e.g. `http://localhost:8765/callback`
    /// and `http://localhost:8766/callback`. They must share host and path and be plain `http`
    /// to `localhost` or `127.0.0.1`; one URI without a port allows any port.
    pub fn from_registered(uris: &[&str]) -> Result<Self> {
        let mut parsed = Vec::with_capacity(uris.len());
        for uri in uris {
            let invalid = |reason| AuthError::InvalidRedirect {
                uri: (*uri).to_owned(),
                reason,
            };
            let url = Url::parse(uri).map_err(|_| invalid("it is not an absolute URL"))?;
            if url.scheme() != "http" {
                return Err(invalid("a loopback redirect must use http://"));
            }
            let host = match url.host_str() {
                Some("localhost") => LoopbackHost::Localhost,
                Some("127.0.0.1") => LoopbackHost::Ip,
                _ => return Err(invalid("the host must be localhost or 127.0.0.1")),
            };
            if url.query().is_some() || url.fragment().is_some() {
                return Err(invalid("a redirect URI may not have a query or fragment"));
            }
            parsed.push((uri, host, url.path().to_owned(), url.port()));
        }
        let Some(&(_, host, ref path, _)) = parsed.first() else {
            return Err(AuthError::InvalidRedirect {
                uri: String::new(),
                reason: "no redirect URI is registered",
            });
        };
        let mut ports = Vec::with_capacity(parsed.len());
        for (uri, other_host, other_path, port) in &parsed {
            if *other_host != host || other_path != path {
                return Err(AuthError::InvalidRedirect {
                    uri: (**uri).to_owned(),
                    reason: "all loopback URIs must share the host and path of the first",
                });
            }
            match port {
                Some(port) => ports.push(*port),
                None if parsed.len() == 1 => {}
                None => {
                    return Err(AuthError::InvalidRedirect {
                        uri: (**uri).to_owned(),
                        reason: "mix of URIs with and without a port",
                    })
                }
            }
        }
        let ports = if ports.is_empty() {
            Ports::Ephemeral
        } else {
            Ports::FirstFree(ports)
        };
        Ok(LoopbackRedirect {
            host,
            path: path.clone(),
            ports,
        })
    }
}

/// A bound, not yet answered loopback listener.
#[derive(Debug)]
pub struct LoopbackListener {
    listener: TcpListener,
    addr: SocketAddr,
    redirect_uri: RedirectUrl,
    path: String,
}

impl LoopbackListener {
    /// Binds `127.0.0.1` on the redirect's port (see the module docs). A taken port falls
    /// through to the next one; when none is free the error lists them all.
    pub async fn bind(redirect: &LoopbackRedirect) -> Result<Self> {
        let candidates = match &redirect.ports {
            Ports::Ephemeral => vec![0],
            Ports::FirstFree(ports) => ports.clone(),
        };
        for &port in &candidates {
            match TcpListener::bind((Ipv4Addr::LOCALHOST, port)).await {
                Ok(listener) => {
                    let addr = listener
                        .local_addr()
                        .map_err(|source| AuthError::Listener { port, source })?;
                    let uri = format!(
                        "http://{}:{}{}",
                        redirect.host.as_str(),
                        addr.port(),
                        redirect.path
                    );
                    let redirect_uri =
                        RedirectUrl::new(uri.clone()).map_err(|_| AuthError::InvalidRedirect {
                            uri,
                            reason: "it is not an absolute URL",
                        })?;
                    return Ok(LoopbackListener {
                        listener,
                        addr,
                        redirect_uri,
                        path: redirect.path.clone(),
                    });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => {
                    tracing::info!(port, "redirect port in use, trying the next one");
                }
                Err(source) => return Err(AuthError::Listener { port, source }),
            }
        }
        Err(AuthError::NoFreePort { tried: candidates })
    }

    /// Where the listener is bound (always `127.0.0.1`).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The redirect URI to send to the provider, host spelled as registered.
    pub fn redirect_uri(&self) -> &RedirectUrl {
        &self.redirect_uri
    }

    /// Serves until the first request to the callback path (other paths, like the browser's
    /// `/favicon.ico`, get a 404 and do not count), or until `timeout`. The listener is closed
    /// when this returns.
    pub async fn wait(self, timeout: Duration) -> Result<Callback> {
        let port = self.addr.port();
        let (answer_tx, answer_rx) = oneshot::channel::<Result<Callback>>();
        let slot: AnswerSlot = Arc::new(Mutex::new(Some(answer_tx)));
        let app = Router::new()
            .route(&self.path, get(receive_callback))
            .with_state(slot);
        let (stop_tx, stop_rx) = oneshot::channel::<()>();
        let server = tokio::spawn(async move {
            axum::serve(self.listener, app)
                .with_graceful_shutdown(async {
                    let _ = stop_rx.await;
                })
                .await
        });
        let outcome = tokio::time::timeout(timeout, answer_rx).await;
        let _ = stop_tx.send(());
        // The page has been written by now; an idle keep-alive connection must not hold us.
        let abort = server.abort_handle();
        if tokio::time::timeout(Duration::from_secs(1), server)
            .await
            .is_err()
        {
            abort.abort();
        }
        match outcome {
            Ok(Ok(callback)) => callback,
            Ok(Err(_)) => Err(AuthError::Listener {
                port,
                source: std::io::Error::other("the listener stopped before an answer arrived"),
            }),
            Err(_) => Err(AuthError::CallbackTimeout {
                waited_secs: timeout.as_secs(),
            }),
        }
    }
}

type AnswerSlot = Arc<Mutex<Option<oneshot::Sender<Result<Callback>>>>>;

async fn receive_callback(State(slot): State<AnswerSlot>, RawQuery(query): RawQuery) -> Response {
    let Some(answer) = slot.lock().unwrap_or_else(PoisonError::into_inner).take() else {
        return page(
            StatusCode::GONE,
            "This sign-in link was already used. You can close this window.",
        );
    };
    let parsed = Callback::from_query(query.as_deref().unwrap_or(""));
    let response = match &parsed {
        Ok(cb) if matches!(cb.outcome(), crate::flow::CallbackOutcome::Error { .. }) => page(
            StatusCode::OK,
            "The sign-in was not completed. You can close this window; Casebridge shows what happened.",
        ),
        Ok(_) => page(
            StatusCode::OK,
            "Casebridge received your sign-in. You can close this window and return to the app.",
        ),
        Err(_) => page(
            StatusCode::BAD_REQUEST,
            "Casebridge could not read this sign-in answer. Close this window and try again from the app.",
        ),
    };
    let _ = answer.send(parsed);
    response
}

fn page(status: StatusCode, text: &'static str) -> Response {
    let body = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>Casebridge</title></head>\
         <body style=\"font-family:sans-serif;margin:4em\"><h1>Casebridge</h1><p>{text}</p></body></html>"
    );
    (
        status,
        [
            (header::CONNECTION, "close"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        Html(body),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registered_uris_keep_host_and_ports_in_order() {
        let r = LoopbackRedirect::from_registered(&[
            "http://localhost:8765/callback",
            "http://localhost:8766/callback",
        ])
        .unwrap();
        assert_eq!(r.host, LoopbackHost::Localhost);
        assert_eq!(r.path, "/callback");
        assert_eq!(r.ports, Ports::FirstFree(vec![8765, 8766]));
        let any = LoopbackRedirect::from_registered(&["http://127.0.0.1/cb"]).unwrap();
        assert_eq!(any.ports, Ports::Ephemeral);
    }

    #[test]
    fn unusable_registered_uris_are_refused_with_the_reason() {
        for (uris, reason) in [
            (
                &["https://localhost:1/cb"][..],
                "a loopback redirect must use http://",
            ),
            (
                &["http://0.0.0.0:1/cb"][..],
                "the host must be localhost or 127.0.0.1",
            ),
            (
                &["http://example.com/cb"][..],
                "the host must be localhost or 127.0.0.1",
            ),
            (
                &["http://localhost:1/cb?x=1"][..],
                "a redirect URI may not have a query or fragment",
            ),
            (
                &["http://localhost:1/cb", "http://127.0.0.1:2/cb"][..],
                "all loopback URIs must share the host and path of the first",
            ),
            (
                &["http://localhost:1/cb", "http://localhost/cb"][..],
                "mix of URIs with and without a port",
            ),
            (&[][..], "no redirect URI is registered"),
        ] {
            match LoopbackRedirect::from_registered(uris) {
                Err(AuthError::InvalidRedirect { reason: got, .. }) => {
                    assert_eq!(got, reason, "{uris:?}")
                }
                other => panic!("{uris:?}: expected InvalidRedirect, got {other:?}"),
            }
        }
    }

    #[tokio::test]
    async fn binds_only_loopback_and_spells_the_host_as_registered() {
        let redirect = LoopbackRedirect::ephemeral(LoopbackHost::Localhost, "/callback").unwrap();
        let listener = LoopbackListener::bind(&redirect).await.unwrap();
        let addr = listener.local_addr();
        assert_eq!(addr.ip(), std::net::IpAddr::V4(Ipv4Addr::LOCALHOST));
        assert_ne!(addr.port(), 0);
        assert_eq!(
            listener.redirect_uri().as_str(),
            format!("http://localhost:{}/callback", addr.port())
        );
    }

    #[tokio::test]
    async fn a_taken_port_falls_through_to_the_next_registered_one() {
        let taken = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let taken_port = taken.local_addr().unwrap().port();
        let free_port = {
            let probe = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
            probe.local_addr().unwrap().port()
        };
        let uris = [
            format!("http://127.0.0.1:{taken_port}/cb"),
            format!("http://127.0.0.1:{free_port}/cb"),
        ];
        let redirect =
            LoopbackRedirect::from_registered(&[uris[0].as_str(), uris[1].as_str()]).unwrap();
        let listener = LoopbackListener::bind(&redirect).await.unwrap();
        assert_eq!(listener.local_addr().port(), free_port);
        assert_eq!(listener.redirect_uri().as_str(), uris[1]);
    }

    #[tokio::test]
    async fn no_free_port_lists_every_port_tried() {
        let a = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let b = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let (pa, pb) = (
            a.local_addr().unwrap().port(),
            b.local_addr().unwrap().port(),
        );
        let uris = [
            format!("http://localhost:{pa}/cb"),
            format!("http://localhost:{pb}/cb"),
        ];
        let redirect =
            LoopbackRedirect::from_registered(&[uris[0].as_str(), uris[1].as_str()]).unwrap();
        let err = LoopbackListener::bind(&redirect).await.unwrap_err();
        assert!(
            matches!(&err, AuthError::NoFreePort { tried } if tried == &vec![pa, pb]),
            "{err:?}"
        );
        assert_eq!(err.code(), "oauth_no_free_port");
        assert!(err.message().contains(&pa.to_string()) && err.message().contains(&pb.to_string()));
    }

    #[tokio::test]
    async fn nobody_calling_back_times_out_and_frees_the_port() {
        let redirect = LoopbackRedirect::ephemeral(LoopbackHost::Ip, "/cb").unwrap();
        let listener = LoopbackListener::bind(&redirect).await.unwrap();
        let addr = listener.local_addr();
        let err = listener.wait(Duration::from_millis(150)).await.unwrap_err();
        assert!(matches!(err, AuthError::CallbackTimeout { .. }), "{err:?}");
        assert_eq!(err.code(), "oauth_timeout");
        std::net::TcpListener::bind(addr).expect("the port is released after the time-out");
    }

    #[tokio::test]
    async fn the_callback_is_returned_and_other_paths_do_not_end_the_wait() {
        let redirect = LoopbackRedirect::ephemeral(LoopbackHost::Ip, "/cb").unwrap();
        let listener = LoopbackListener::bind(&redirect).await.unwrap();
        let base = format!("http://{}", listener.local_addr());
        let waiter = tokio::spawn(listener.wait(Duration::from_secs(10)));
        let http = reqwest::Client::new();
        let favicon = http
            .get(format!("{base}/favicon.ico"))
            .send()
            .await
            .unwrap();
        assert_eq!(favicon.status(), 404);
        let page = http
            .get(format!("{base}/cb?code=c1&state=s1"))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 200);
        assert!(page
            .text()
            .await
            .unwrap()
            .contains("You can close this window"));
        let callback = waiter.await.unwrap().unwrap();
        assert_eq!(callback.state(), "s1");
    }
}
