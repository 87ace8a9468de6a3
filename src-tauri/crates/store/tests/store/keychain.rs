//! The real OS keychain. Runs only with `CASEBRIDGE_KEYRING_TESTS=1` (set by `make test`, which
//! runs under `dbus-run-session` with an unlocked gnome-keyring); otherwise it says why it skipped.

use casebridge_store::secrets::{BuildKind, KeyringSecrets, Secret, SecretKey, SecretStore};

#[test]
fn keyring_round_trip_when_a_secret_service_is_reachable() {
    if std::env::var("CASEBRIDGE_KEYRING_TESTS").as_deref() != Ok("1") {
        eprintln!(
            "skipped: set CASEBRIDGE_KEYRING_TESTS=1 inside a session with an unlocked Secret Service \
             (see shared/reference/linux-build.md §5) to test the OS keychain"
        );
        return;
    }
    // The dev namespace and a unique entry name, so the installed app's entries are never touched.
    let store = KeyringSecrets::new(BuildKind::Dev);
    let key = SecretKey::new(format!("test:{}", uuid::Uuid::new_v4()), "api_key");
    assert!(store.get(&key).unwrap().is_none(), "fresh entry is absent");
    store.set(&key, &Secret::new("rk_test_one")).unwrap();
    store.set(&key, &Secret::new("rk_test_two")).unwrap();
    assert_eq!(
        store.get(&key).unwrap().unwrap().expose(),
        "rk_test_two",
        "set replaces"
    );
    store.delete(&key).unwrap();
    assert!(store.get(&key).unwrap().is_none(), "deleted");
    store.delete(&key).unwrap(); // deleting a missing entry is fine

    // Another build kind does not see this build kind's entries.
    let demo = KeyringSecrets::new(BuildKind::Demo);
    store.set(&key, &Secret::new("dev-only")).unwrap();
    assert!(demo.get(&key).unwrap().is_none());
    store.delete(&key).unwrap();
}
