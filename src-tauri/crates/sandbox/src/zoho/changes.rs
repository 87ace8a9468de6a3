//! What happens to an invoice in Zoho Books after Casebridge fetched it (the customer pays, the
//! creditor voids or deletes it), for tests and the demo: from Rust through
//! [`super::ZohoHandle::change_invoice`], and over HTTP for a fake running inside another process
//! (the engine's demo sandbox):
//!
//! `POST /__sandbox/zoho/{organization_id}/invoices/{id}` with `{"change":"paid"|"void"|"deleted"}`
//! answers 204, or 404 `{"error":"no_such_invoice"}`, or 400 `{"error":"invalid_change"}`.
//!
//! Afterwards the API shows the invoice as Zoho does (reference §6, §8): paid is `status`
//! "paid" with `balance` 0 (and `payment_made` the total); void is `status` "void", nothing
//! owed; deleted vanishes from lists and its read answers HTTP 404
//! `{"code":1002,"message":"Invoice does not exist."}`.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::post;
use axum::Router;
use serde::Deserialize;

use super::model::ZohoStatus;
use super::state::ZohoState;

/// One thing that can happen to an invoice at Zoho Books (named as Zoho's statuses are).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InvoiceChange {
    /// Paid in full: `status` "paid", `balance` 0.
    Paid,
    /// Voided: `status` "void", `balance` 0.
    Void,
    /// Deleted: gone from lists, its read answers 404 with code 1002.
    Deleted,
}

/// Applies `change` to invoice `id` of organization `org`; `false` if there is no such invoice.
pub(super) fn apply(state: &ZohoState, org: &str, id: &str, change: InvoiceChange) -> bool {
    let mut data = state.lock();
    let Some(org) = data.org_mut(org) else {
        return false;
    };
    let Some(at) = org.invoices.iter().position(|i| i.invoice_id == id) else {
        return false;
    };
    let status = match change {
        InvoiceChange::Paid => ZohoStatus::Paid,
        InvoiceChange::Void => ZohoStatus::Void,
        InvoiceChange::Deleted => {
            org.invoices.remove(at);
            return true;
        }
    };
    let invoice = &mut org.invoices[at];
    invoice.status = status;
    invoice.balance_cents = 0;
    true
}

pub(super) fn routes(state: Arc<ZohoState>) -> Router {
    Router::new()
        .route("/zoho/{org}/invoices/{id}", post(change_over_http))
        .with_state(state)
}

async fn change_over_http(
    State(state): State<Arc<ZohoState>>,
    Path((org, id)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> Response {
    crate::invoice_changes::answer(
        &body,
        r#""paid"|"void"|"deleted""#,
        "organization",
        &org,
        &id,
        |change| apply(&state, &org, &id, change),
    )
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::*;
    use crate::zoho::{ZohoConfig, ZohoHandle, DEMO_ACCESS_TOKEN, DEMO_ORG_EU};
    use crate::{RunningFake, SystemClock};

    async fn start() -> (RunningFake, ZohoHandle) {
        let (server, handle) = crate::zoho::build(
            ZohoConfig {
                per_minute: None,
                daily_cap: None,
                ..ZohoConfig::default()
            },
            Arc::new(SystemClock),
            5,
        )
        .expect("valid config");
        (server.start().await.expect("listens"), handle)
    }

    async fn get(fake: &RunningFake, path: &str, query: &[(&str, &str)]) -> (u16, Value) {
        let response = reqwest::Client::new()
            .get(format!("{}/books/v3/{path}", fake.url()))
            .query(&[("organization_id", DEMO_ORG_EU)])
            .query(query)
            .header(
                "Authorization",
                format!("Zoho-oauthtoken {DEMO_ACCESS_TOKEN}"),
            )
            .send()
            .await
            .expect("answers");
        let status = response.status().as_u16();
        (status, response.json().await.expect("json"))
    }

    async fn change(fake: &RunningFake, id: &str, body: &str) -> u16 {
        reqwest::Client::new()
            .post(format!(
                "{}/__sandbox/zoho/{DEMO_ORG_EU}/invoices/{id}",
                fake.url()
            ))
            .header("Content-Type", "application/json")
            .body(body.to_owned())
            .send()
            .await
            .expect("answers")
            .status()
            .as_u16()
    }

    /// Every invoice id the list shows under `filter_by`, page after page.
    async fn listed(fake: &RunningFake, filter_by: &str) -> Vec<String> {
        let mut ids = Vec::new();
        for page in 1.. {
            let page = page.to_string();
            let (_, body) = get(
                fake,
                "invoices",
                &[("filter_by", filter_by), ("page", &page)],
            )
            .await;
            let rows = body["invoices"].as_array().expect("rows");
            ids.extend(
                rows.iter()
                    .map(|r| r["invoice_id"].as_str().expect("id").to_owned()),
            );
            if body["page_context"]["has_more_page"] != true {
                break;
            }
        }
        ids
    }

    fn open_ids(handle: &ZohoHandle) -> Vec<String> {
        handle
            .invoices(DEMO_ORG_EU)
            .iter()
            .filter(|i| i.status.is_unpaid() && i.balance_cents > 0)
            .take(3)
            .map(|i| i.invoice_id.clone())
            .collect()
    }

    #[tokio::test]
    async fn paid_void_and_deleted_invoices_read_as_zoho_shows_them() {
        let (fake, handle) = start().await;
        let ids = open_ids(&handle);
        assert_eq!(ids.len(), 3);
        let (_, before) = get(&fake, &format!("invoices/{}", ids[0]), &[]).await;
        let total = before["invoice"]["total"].as_f64().expect("total");

        assert!(handle.change_invoice(DEMO_ORG_EU, &ids[0], InvoiceChange::Paid));
        assert_eq!(change(&fake, &ids[1], r#"{"change":"void"}"#).await, 204);
        assert_eq!(change(&fake, &ids[2], r#"{"change":"deleted"}"#).await, 204);

        let (status, paid) = get(&fake, &format!("invoices/{}", ids[0]), &[]).await;
        assert_eq!((status, paid["code"].as_i64()), (200, Some(0)));
        assert_eq!(paid["invoice"]["status"], "paid");
        assert_eq!(paid["invoice"]["balance"].as_f64(), Some(0.0));
        assert_eq!(paid["invoice"]["payment_made"].as_f64(), Some(total));

        let (status, void) = get(&fake, &format!("invoices/{}", ids[1]), &[]).await;
        assert_eq!(status, 200);
        assert_eq!(void["invoice"]["status"], "void");
        assert_eq!(void["invoice"]["balance"].as_f64(), Some(0.0));

        let (status, deleted) = get(&fake, &format!("invoices/{}", ids[2]), &[]).await;
        assert_eq!(status, 404);
        assert_eq!(
            deleted,
            json!({"code": 1002, "message": "Invoice does not exist."})
        );

        let unpaid = listed(&fake, "Status.Unpaid").await;
        assert!(
            ids.iter().all(|id| !unpaid.contains(id)),
            "none is unpaid any more"
        );
        let all = listed(&fake, "Status.All").await;
        assert!(all.contains(&ids[0]) && all.contains(&ids[1]));
        assert!(!all.contains(&ids[2]), "the deleted one is gone from lists");
    }

    #[tokio::test]
    async fn an_unknown_invoice_or_change_is_refused_and_changes_nothing() {
        let (fake, handle) = start().await;
        let before = handle.invoices(DEMO_ORG_EU);
        assert_eq!(change(&fake, "404", r#"{"change":"paid"}"#).await, 404);
        assert!(
            !handle.change_invoice("1", &before[0].invoice_id, InvoiceChange::Deleted),
            "unknown organization"
        );
        assert_eq!(
            change(&fake, &before[0].invoice_id, r#"{"change":"voided"}"#).await,
            400,
            "Zoho's word is void"
        );
        assert_eq!(handle.invoices(DEMO_ORG_EU), before);
    }
}
