//! What happens to an invoice in QuickBooks after Casebridge fetched it (the customer pays, the
//! creditor voids or deletes it), for tests and the demo: from Rust through
//! [`super::QuickBooksHandle::change_invoice`], and over HTTP for a fake running inside another
//! process (the engine's demo sandbox):
//!
//! `POST /__sandbox/quickbooks/{realmId}/invoices/{id}` with `{"change":"paid"|"voided"|"deleted"}`
//! answers 204, or 404 `{"error":"no_such_invoice"}`, or 400 `{"error":"invalid_change"}`.
//!
//! Afterwards the API shows the invoice as QuickBooks does (reference §4, §9): paid is `Balance`
//! 0; voided is `TotalAmt` and `Balance` 0 with "Voided" in `PrivateNote`; deleted vanishes from
//! queries and its read answers 400 `ValidationFault` 610 "Object Not Found".

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::post;
use axum::Router;
use serde::Deserialize;

use super::QboState;

/// One thing that can happen to an invoice at QuickBooks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InvoiceChange {
    /// Paid in full: `Balance` 0.
    Paid,
    /// Voided: `TotalAmt` and `Balance` 0, "Voided" in `PrivateNote`.
    Voided,
    /// Deleted: gone from queries, its read answers 610 "Object Not Found".
    Deleted,
}

/// Applies `change` to invoice `id` of company `realm_id`; `false` if there is no such invoice.
pub(super) fn apply(state: &QboState, realm_id: &str, id: &str, change: InvoiceChange) -> bool {
    let mut data = state.lock();
    let Some(books) = data.books.get_mut(realm_id) else {
        return false;
    };
    let Some(at) = books.invoices.iter().position(|i| i.id == id) else {
        return false;
    };
    // Copy on write: queries in flight keep rendering the books as they were.
    let books = Arc::make_mut(books);
    match change {
        InvoiceChange::Paid => books.invoices[at].balance_cents = 0,
        InvoiceChange::Voided => books.invoices[at].voided = true,
        InvoiceChange::Deleted => {
            books.invoices.remove(at);
        }
    }
    true
}

pub(super) fn routes(state: Arc<QboState>) -> Router {
    Router::new()
        .route("/quickbooks/{realm}/invoices/{id}", post(change_over_http))
        .with_state(state)
}

async fn change_over_http(
    State(state): State<Arc<QboState>>,
    Path((realm, id)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> Response {
    crate::invoice_changes::answer(
        &body,
        r#""paid"|"voided"|"deleted""#,
        "company",
        &realm,
        &id,
        |change| apply(&state, &realm, &id, change),
    )
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;
    use crate::quickbooks::{QuickBooksConfig, QuickBooksHandle, DEMO_ACCESS_TOKEN};
    use crate::{RunningFake, SystemClock};

    const US: &str = "9130350000000002";

    async fn start() -> (RunningFake, QuickBooksHandle) {
        let (server, handle) = crate::quickbooks::build(
            QuickBooksConfig {
                rate_limits: None,
                ..QuickBooksConfig::default()
            },
            Arc::new(SystemClock),
            5,
        )
        .expect("valid config");
        (server.start().await.expect("listens"), handle)
    }

    async fn get(fake: &RunningFake, path: &str, query: &[(&str, &str)]) -> (u16, Value) {
        let response = reqwest::Client::new()
            .get(format!("{}/v3/company/{US}/{path}", fake.url()))
            .query(query)
            .query(&[("minorversion", "75")])
            .bearer_auth(DEMO_ACCESS_TOKEN)
            .header("Accept", "application/json")
            .send()
            .await
            .expect("answers");
        let status = response.status().as_u16();
        (status, response.json().await.expect("json"))
    }

    async fn change(fake: &RunningFake, id: &str, body: &str) -> u16 {
        reqwest::Client::new()
            .post(format!(
                "{}/__sandbox/quickbooks/{US}/invoices/{id}",
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

    /// Three open invoices of the US company.
    fn open_ids(handle: &QuickBooksHandle) -> Vec<String> {
        handle
            .invoices(US)
            .iter()
            .filter(|i| i.balance_shown() > 0 && i.balance_cents == i.total_cents)
            .take(3)
            .map(|i| i.id.clone())
            .collect()
    }

    #[tokio::test]
    async fn paid_voided_and_deleted_invoices_read_as_quickbooks_shows_them() {
        let (fake, handle) = start().await;
        let ids = open_ids(&handle);
        assert_eq!(ids.len(), 3);
        let (_, before) = get(&fake, &format!("invoice/{}", ids[0]), &[]).await;
        let total = before["Invoice"]["TotalAmt"].as_f64().expect("total");
        assert!(total > 0.0);

        assert!(handle.change_invoice(US, &ids[0], InvoiceChange::Paid));
        assert_eq!(change(&fake, &ids[1], r#"{"change":"voided"}"#).await, 204);
        assert_eq!(change(&fake, &ids[2], r#"{"change":"deleted"}"#).await, 204);

        let (status, paid) = get(&fake, &format!("invoice/{}", ids[0]), &[]).await;
        assert_eq!(status, 200);
        assert_eq!(paid["Invoice"]["Balance"].as_f64(), Some(0.0));
        assert_eq!(
            paid["Invoice"]["TotalAmt"].as_f64(),
            Some(total),
            "paid keeps its total"
        );
        assert!(paid["Invoice"].get("PrivateNote").is_none());

        let (status, voided) = get(&fake, &format!("invoice/{}", ids[1]), &[]).await;
        assert_eq!(status, 200);
        assert_eq!(voided["Invoice"]["Balance"].as_f64(), Some(0.0));
        assert_eq!(voided["Invoice"]["TotalAmt"].as_f64(), Some(0.0));
        assert_eq!(voided["Invoice"]["PrivateNote"], "Voided");

        let (status, deleted) = get(&fake, &format!("invoice/{}", ids[2]), &[]).await;
        assert_eq!(status, 400);
        assert_eq!(deleted["Fault"]["type"], "ValidationFault");
        assert_eq!(deleted["Fault"]["Error"][0]["code"], "610");
        assert_eq!(deleted["Fault"]["Error"][0]["Message"], "Object Not Found");

        let listed = format!(
            "SELECT * FROM Invoice WHERE Id IN ('{}','{}','{}')",
            ids[0], ids[1], ids[2]
        );
        let (_, rows) = get(&fake, "query", &[("query", &listed)]).await;
        let rows: Vec<&str> = rows["QueryResponse"]["Invoice"]
            .as_array()
            .expect("rows")
            .iter()
            .map(|r| r["Id"].as_str().expect("id"))
            .collect();
        assert_eq!(
            rows,
            [ids[0].as_str(), ids[1].as_str()],
            "the deleted one is gone from queries"
        );
        let unpaid = format!(
            "SELECT COUNT(*) FROM Invoice WHERE Balance > '0' AND Id IN ('{}','{}')",
            ids[0], ids[1]
        );
        let (_, count) = get(&fake, "query", &[("query", &unpaid)]).await;
        assert_eq!(
            count["QueryResponse"]["totalCount"], 0,
            "neither is unpaid any more"
        );
    }

    #[tokio::test]
    async fn an_unknown_invoice_or_change_is_refused_and_changes_nothing() {
        let (fake, handle) = start().await;
        let before = handle.invoices(US);
        assert_eq!(change(&fake, "999999", r#"{"change":"paid"}"#).await, 404);
        assert!(
            !handle.change_invoice("1", &before[0].id, InvoiceChange::Deleted),
            "unknown company"
        );
        assert_eq!(
            change(&fake, &before[0].id, r#"{"change":"refunded"}"#).await,
            400
        );
        assert_eq!(change(&fake, &before[0].id, "").await, 400);
        assert_eq!(handle.invoices(US), before);
    }
}
