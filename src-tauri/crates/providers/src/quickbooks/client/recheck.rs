//! Many invoices read again at once (the engine's at-source check): one `Id IN (…)` query per
//! batch of invoice ids, then their customers in `Id IN (…)` batches, instead of an invoice read
//! and a customer query per invoice.

use std::collections::{HashMap, HashSet};

use super::{
    map_one, no_waiting, parse_rows, query, rechecked, refuses_in, BearerSource, Customers,
    ProviderError, QueryEnvelope, QuickBooksClient, Reading, Rechecked, WireInvoice, PROVIDER,
};

/// Each invoice as read, by id (or why it could not be); ids missing were deleted.
type Read = HashMap<String, Result<WireInvoice, ProviderError>>;

impl QuickBooksClient {
    /// Reads the invoices with `ids` again (their balances may have changed since the fetch),
    /// with their customers, and answers for each id (once, in the order given) whether it is
    /// still owed, settled (paid or voided), or gone.
    ///
    /// Requests: one `SELECT * FROM Invoice WHERE Id IN (…)` per
    /// [`super::QuickBooksOptions::recheck_batch`] ids, then the customers of those invoices as
    /// the fetch reads them (`Id IN (…)` batches). If QuickBooks refuses `IN`, each invoice is
    /// read on its own and every customer listed once, as the fetch falls back.
    ///
    /// # Errors
    /// The outer error when QuickBooks cannot answer (token refused, access revoked, throttled
    /// or failing after retries): nothing was learnt about any invoice. Per id:
    /// [`ProviderError::NotFound`] when it was deleted (the query does not return it),
    /// [`ProviderError::InvoiceUnreadable`] / [`ProviderError::InvoiceField`] /
    /// [`ProviderError::InvoiceValue`] when it cannot be mapped.
    pub async fn fetch_invoices(
        &self,
        bearer: &dyn BearerSource,
        ids: &[String],
    ) -> Result<Vec<(String, Result<Rechecked, ProviderError>)>, ProviderError> {
        let company = self.company(bearer).await?;
        let mut seen = HashSet::new();
        let wanted: Vec<String> = ids
            .iter()
            .filter(|id| seen.insert(id.as_str()))
            .cloned()
            .collect();
        let (mut read, refused_in) = self.invoices_by_id(bearer, &wanted).await?;
        let customers = if refused_in {
            let mut customers = Customers::default();
            self.all_customers(bearer, &mut customers, &no_waiting)
                .await?;
            customers
        } else {
            let mut customer_ids = HashSet::new();
            let asked: Vec<String> = read
                .values()
                .filter_map(|wire| wire.as_ref().ok()?.customer_ref.as_ref())
                .map(|c| c.value.clone())
                .filter(|id| customer_ids.insert(id.clone()))
                .collect();
            self.customers(bearer, &asked, &no_waiting).await?
        };
        Ok(wanted
            .into_iter()
            .map(|id| {
                let answer = match read.remove(&id) {
                    Some(Ok(wire)) => map_one(&wire, &customers, company).map(rechecked),
                    Some(Err(error)) => Err(error),
                    None => Err(ProviderError::NotFound {
                        provider: PROVIDER,
                        object: "invoice",
                        id: id.clone(),
                    }),
                };
                (id, answer)
            })
            .collect())
    }

    /// The invoices with `ids`, in `Id IN (…)` batches; one by one when QuickBooks refuses
    /// `IN` (then `true`).
    async fn invoices_by_id(
        &self,
        bearer: &dyn BearerSource,
        ids: &[String],
    ) -> Result<(Read, bool), ProviderError> {
        let mut read = Read::new();
        for batch in ids.chunks(self.options.recheck_batch) {
            let envelope = match self
                .transport
                .query::<QueryEnvelope>(
                    bearer,
                    &query::invoices_by_id(batch),
                    Reading::InvoicePage,
                    &no_waiting,
                )
                .await
            {
                Ok(envelope) => envelope,
                Err(e) if !e.is_fatal() && refuses_in(&e) => {
                    tracing::info!("QuickBooks refused Id IN (…); reading each invoice instead");
                    return Ok((self.invoices_one_by_one(bearer, ids).await?, true));
                }
                Err(e) => return Err(e),
            };
            for row in parse_rows(&envelope.response.invoices.unwrap_or_default()) {
                match row {
                    Ok(wire) => {
                        read.insert(wire.id.clone(), Ok(wire));
                    }
                    Err((id, source)) => {
                        let error = ProviderError::InvoiceUnreadable {
                            provider: PROVIDER,
                            id: id.clone(),
                            source,
                        };
                        read.insert(id, Err(error));
                    }
                }
            }
        }
        Ok((read, false))
    }

    /// `GET …/invoice/{id}` for each id; a deleted or unreadable invoice is that invoice's
    /// answer, any other failure the whole read's.
    async fn invoices_one_by_one(
        &self,
        bearer: &dyn BearerSource,
        ids: &[String],
    ) -> Result<Read, ProviderError> {
        let mut read = Read::new();
        for id in ids {
            match self.read_invoice(bearer, id).await {
                Ok(wire) => {
                    read.insert(id.clone(), Ok(wire));
                }
                Err(error @ ProviderError::InvoiceUnreadable { .. }) => {
                    read.insert(id.clone(), Err(error));
                }
                // Deleted: left out, as a query leaves it out.
                Err(ProviderError::NotFound {
                    object: "invoice", ..
                }) => {}
                Err(error) => return Err(error),
            }
        }
        Ok(read)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use casebridge_domain::Currency;
    use casebridge_sandbox::quickbooks::{
        InvoiceChange, QuickBooksConfig, QuickBooksHandle, DEMO_ACCESS_TOKEN,
    };
    use casebridge_sandbox::{RunningFake, SystemClock};

    use super::*;
    use crate::bearer::StaticBearer;
    use crate::fetch::SkipReason;
    use crate::quickbooks::{QuickBooksCompany, QuickBooksOptions};
    use crate::SourceStatus;

    const US: &str = "9130350000000002";
    const QUERY: &str = "GET /v3/company/{realm}/query";
    const READ: &str = "GET /v3/company/{realm}/invoice/{id}";

    struct Fake {
        _server: RunningFake,
        handle: QuickBooksHandle,
        client: QuickBooksClient,
    }

    /// The demo US company without throttles, and a client that knows the company (as the
    /// engine stores it at connect), so every request counted is an invoice or customer read.
    async fn fake() -> Fake {
        let (server, handle) = casebridge_sandbox::quickbooks::build(
            QuickBooksConfig {
                rate_limits: None,
                ..QuickBooksConfig::default()
            },
            Arc::new(SystemClock),
            9,
        )
        .expect("valid config");
        let server = server.start().await.expect("listens");
        let client = QuickBooksClient::new(&server.url(), US, QuickBooksOptions::default())
            .expect("client")
            .with_company(QuickBooksCompany {
                realm_id: US.into(),
                name: None,
                country: Some("US".into()),
                currency: Some(Currency::USD),
            });
        Fake {
            _server: server,
            handle,
            client,
        }
    }

    impl Fake {
        /// Ten open, numbered invoices of active customers; the first is then paid, the
        /// second voided, the third deleted.
        fn ten_with_three_changed(&self) -> Vec<String> {
            let active: HashSet<String> = self
                .handle
                .customers(US)
                .into_iter()
                .filter(|c| c.active)
                .map(|c| c.id)
                .collect();
            let ids: Vec<String> = self
                .handle
                .invoices(US)
                .iter()
                .filter(|i| {
                    i.balance_shown() > 0
                        && i.doc_number.is_some()
                        && active.contains(&i.customer_id)
                })
                .take(10)
                .map(|i| i.id.clone())
                .collect();
            assert_eq!(ids.len(), 10);
            for (id, change) in ids.iter().zip([
                InvoiceChange::Paid,
                InvoiceChange::Voided,
                InvoiceChange::Deleted,
            ]) {
                assert!(self.handle.change_invoice(US, id, change));
            }
            self.handle.control().reset_stats();
            ids
        }

        fn requests(&self, route: &str) -> u64 {
            self.handle.control().stats().route_count(route)
        }
    }

    /// What each answer says, in a form to compare whole.
    fn kinds(answers: &[(String, Result<Rechecked, ProviderError>)]) -> Vec<&'static str> {
        answers
            .iter()
            .map(|(_, answer)| match answer {
                Ok(Rechecked::Unpaid(_)) => "unpaid",
                Ok(Rechecked::Settled(SkipReason::NothingOwed { .. })) => "paid",
                Ok(Rechecked::Settled(SkipReason::Status {
                    status: SourceStatus::Void,
                })) => "void",
                Ok(Rechecked::Settled(_)) => "settled otherwise",
                Err(ProviderError::NotFound {
                    object: "invoice", ..
                }) => "deleted",
                Err(_) => "error",
            })
            .collect()
    }

    const EXPECTED: [&str; 10] = [
        "paid", "void", "deleted", "unpaid", "unpaid", "unpaid", "unpaid", "unpaid", "unpaid",
        "unpaid",
    ];

    #[tokio::test]
    async fn ten_invoices_are_read_again_with_one_invoice_query_and_one_customer_query() {
        let fake = fake().await;
        let ids = fake.ten_with_three_changed();
        let answers = fake
            .client
            .fetch_invoices(&StaticBearer::new(DEMO_ACCESS_TOKEN), &ids)
            .await
            .expect("QuickBooks answers");
        let answered: Vec<&String> = answers.iter().map(|(id, _)| id).collect();
        assert_eq!(
            answered,
            ids.iter().collect::<Vec<_>>(),
            "every id, in order"
        );
        assert_eq!(kinds(&answers), EXPECTED);
        assert_eq!(
            (fake.requests(QUERY), fake.requests(READ)),
            (2, 0),
            "one Id IN query for the invoices, one for their customers"
        );
        let Ok(Rechecked::Unpaid(open)) = &answers[3].1 else {
            panic!("{:?}", answers[3]);
        };
        assert!(
            open.invoice.debtor.name.is_some() && !open.customer_deleted,
            "the customer was read: {open:?}"
        );
    }

    #[tokio::test]
    async fn without_in_each_invoice_is_read_alone_and_the_customers_listed_once() {
        let fake = fake().await;
        let ids = fake.ten_with_three_changed();
        fake.handle.set_in_supported(false);
        let answers = fake
            .client
            .fetch_invoices(&StaticBearer::new(DEMO_ACCESS_TOKEN), &ids)
            .await
            .expect("QuickBooks answers");
        assert_eq!(kinds(&answers), EXPECTED);
        assert_eq!(
            (fake.requests(QUERY), fake.requests(READ)),
            (2, 10),
            "the refused invoice query and one customer page; a read per invoice"
        );
    }

    #[tokio::test]
    async fn a_refused_token_is_the_whole_reads_error() {
        let fake = fake().await;
        let ids = fake.ten_with_three_changed();
        let error = fake
            .client
            .fetch_invoices(&StaticBearer::new("not-a-token"), &ids)
            .await
            .expect_err("no answers");
        assert!(error.is_fatal(), "{error:?}");
        assert_eq!(fake.requests(READ), 0);
    }
}
