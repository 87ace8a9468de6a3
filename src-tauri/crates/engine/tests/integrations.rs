//! The Integrations page's cards: what each says about its source's rate limits, Zoho's
//! daily quota as its last fetch left it, and (in `import.rs`) the Files card's last import.

mod support;
use support::oauth::{connect_zoho, demo};

use std::sync::Arc;

use casebridge_engine::api::{ChooseOrganizationRequest, FetchRequest, IntegrationCard, IntegrationKind};
use casebridge_engine::{Clock, NoProgress};
use chrono::{DateTime, Duration, Utc};

#[tokio::test]
async fn every_source_card_states_its_rate_limits_and_zoho_shows_the_quota_its_fetch_left() {
    let d = demo().await;
    let zoho = connect_zoho(&d).await;
    let organization_id = zoho.organizations[1].organization_id.clone();
    d.engine.choose_zoho_organization(ChooseOrganizationRequest { organization_id }).await.unwrap();
    let card = |cards: Vec<IntegrationCard>| cards.into_iter().find(|c| c.kind == IntegrationKind::Zoho).unwrap();
    assert_eq!(card(d.engine.integrations().await.unwrap()).daily_quota, None, "nothing counted before a fetch");

    d.engine.fetch_zoho(FetchRequest::default(), Arc::new(NoProgress)).await.unwrap();
    let cards = d.engine.integrations().await.unwrap();
    for c in &cards {
        let stated = c.rate_limits.as_deref().unwrap_or_default();
        match c.kind {
            IntegrationKind::Files => assert_eq!(c.rate_limits, None, "files have no rate limit"),
            _ => assert!(stated.contains(" a minute") || stated.contains(" a second"), "{:?}: {stated}", c.kind),
        }
    }
    let quota = card(cards).daily_quota.expect("the fetch's quota is kept");
    // The demo organization's cap is the fake's 10,000; the fetch used a handful of requests
    // (organizations, pages, contacts), counted by Zoho's X-Rate-Limit headers.
    assert_eq!(quota.limit, Some(10_000));
    assert!((1..100).contains(&quota.used), "{quota:?}");
    let now = d.clock.now();
    assert_eq!(quota.counted_at, now.to_rfc3339());
    let resets_at = DateTime::parse_from_rfc3339(quota.resets_at.as_deref().unwrap()).unwrap();
    assert!(resets_at > now && resets_at <= now + Duration::days(1), "{quota:?}");

    *d.clock.0.lock().unwrap() = resets_at.with_timezone(&Utc);
    assert_eq!(card(d.engine.integrations().await.unwrap()).daily_quota, None, "a count from before the reset no longer stands");
}
