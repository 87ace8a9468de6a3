//! Rotation races: many refreshes at once, from two OS threads and from two processes, against
//! a fake that rotates the refresh token on every use and refuses the old one. If two refreshes
//! ever used the same refresh token, one would get `invalid_grant` (a refused refresh is
//! counted by the fake), and if a stale token were stored last, the final stored token would
//! not be the active one.

mod common;

use std::process::Command;
use std::sync::Arc;

use casebridge_auth::{OAuthClient, TokenVault};
use casebridge_sandbox::OAuthConfig;
use casebridge_store::secrets::{EphemeralSecrets, SecretStore};
use chrono::{Duration, Utc};
use common::{auto_approve, client_for, sign_in, start_fake, FileSecrets};

const CONNECTION: &str = "qbo:race";
const ROUNDS: u64 = 20;

/// Access tokens live one second and the skew is an hour: every call must refresh.
fn always_expired() -> OAuthConfig {
    OAuthConfig {
        access_token_secs: 1,
        ..auto_approve()
    }
}

/// `rounds` refreshes in a row on this thread's own runtime; each must succeed.
fn refresh_loop(
    store: Arc<dyn SecretStore>,
    lock_dir: std::path::PathBuf,
    client: OAuthClient,
    rounds: u64,
) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let vault = TokenVault::new(store, lock_dir);
    runtime.block_on(async {
        for round in 0..rounds {
            vault
                .refresh_if_needed(CONNECTION, &client, Utc::now(), Duration::hours(1))
                .await
                .unwrap_or_else(|e| panic!("round {round}: {e:?}"));
        }
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_threads_refreshing_concurrently_never_reuse_a_refresh_token() {
    let fake = start_fake(always_expired()).await;
    let client = client_for(&fake.fake.url());
    let grant = sign_in(&client).await;
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn SecretStore> = Arc::new(EphemeralSecrets::default());
    let vault = TokenVault::new(store.clone(), dir.path());
    vault.save(CONNECTION, &grant.tokens).await.unwrap();

    let threads: Vec<_> = (0..2)
        .map(|_| {
            let (store, lock_dir, client) = (store.clone(), dir.path().to_owned(), client.clone());
            std::thread::spawn(move || refresh_loop(store, lock_dir, client, ROUNDS))
        })
        .collect();
    tokio::task::spawn_blocking(move || {
        for thread in threads {
            thread.join().expect("a refresher thread failed");
        }
    })
    .await
    .unwrap();

    assert_eq!(fake.handle.refresh_counts(), (2 * ROUNDS, 0));
    let stored = vault.load(CONNECTION).await.unwrap().unwrap();
    assert!(fake.handle.is_refresh_token_active(stored.refresh.expose()));
    assert!(fake.handle.is_access_token_valid(stored.access.expose()));
}

/// Child side of the two-process test: does nothing unless the parent set the environment.
#[test]
fn child_process_refresher() {
    let (Ok(url), Ok(dir)) = (
        std::env::var("CB_RACE_FAKE_URL"),
        std::env::var("CB_RACE_DIR"),
    ) else {
        return;
    };
    let dir = std::path::PathBuf::from(dir);
    let store = Arc::new(FileSecrets {
        dir: dir.join("keychain"),
    });
    refresh_loop(store, dir.join("locks"), client_for(&url), ROUNDS);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_refreshing_concurrently_share_the_lock() {
    let fake = start_fake(always_expired()).await;
    let client = client_for(&fake.fake.url());
    let grant = sign_in(&client).await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("keychain")).unwrap();
    let store = Arc::new(FileSecrets {
        dir: dir.path().join("keychain"),
    });
    let vault = TokenVault::new(store, dir.path().join("locks"));
    vault.save(CONNECTION, &grant.tokens).await.unwrap();

    let exe = std::env::current_exe().unwrap();
    let children: Vec<_> = (0..2)
        .map(|_| {
            Command::new(&exe)
                .args(["--exact", "child_process_refresher", "--test-threads=1"])
                .env("CB_RACE_FAKE_URL", fake.fake.url())
                .env("CB_RACE_DIR", dir.path())
                .spawn()
                .unwrap()
        })
        .collect();
    let statuses = tokio::task::spawn_blocking(move || {
        children
            .into_iter()
            .map(|mut child| child.wait().unwrap())
            .collect::<Vec<_>>()
    })
    .await
    .unwrap();
    assert!(statuses.iter().all(|s| s.success()), "{statuses:?}");

    assert_eq!(fake.handle.refresh_counts(), (2 * ROUNDS, 0));
    let stored = vault.load(CONNECTION).await.unwrap().unwrap();
    assert!(fake.handle.is_refresh_token_active(stored.refresh.expose()));
}
