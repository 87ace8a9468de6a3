//! The HTTP side of the fakes' invoice-change handles (`POST
//! /__sandbox/{fake}/{company}/invoices/{id}` with `{"change": …}`), shared by the QuickBooks and
//! Zoho fakes: each fake says which changes it knows and how one is applied; this module reads
//! the body and answers 204, 400 `invalid_change` or 404 `no_such_invoice`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize)]
struct ChangeBody<C> {
    change: C,
}

/// Applies the change `body` names to invoice `id` of `company` (a company or organization,
/// named `company_noun` in the error) through `apply`, which says whether the invoice exists.
/// `known` lists the change names for the 400 answer, e.g. `"paid"|"voided"|"deleted"`.
pub(crate) fn answer<C: DeserializeOwned>(
    body: &[u8],
    known: &str,
    company_noun: &str,
    company: &str,
    id: &str,
    apply: impl FnOnce(C) -> bool,
) -> Response {
    let change = match serde_json::from_slice::<ChangeBody<C>>(body) {
        Ok(body) => body.change,
        Err(e) => {
            let message = format!("expected {{\"change\":{known}}}: {e}");
            return (
                StatusCode::BAD_REQUEST,
                Json(json!({ "error": "invalid_change", "message": message })),
            )
                .into_response();
        }
    };
    if apply(change) {
        StatusCode::NO_CONTENT.into_response()
    } else {
        let message = format!("{company_noun} {company} has no invoice {id}");
        (
            StatusCode::NOT_FOUND,
            Json(json!({ "error": "no_such_invoice", "message": message })),
        )
            .into_response()
    }
}
