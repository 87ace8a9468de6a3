//! Identifiers shared by several tables.

use serde::{Deserialize, Serialize};

use crate::sql::text_enum;

/// One invoice in one source account: the key of the invoice cache and of "one submission per
/// invoice". `provider` is e.g. `stripe`, `quickbooks`, `zoho`, `file`; `account` is the
/// provider's account / realm / organization id (or the import's id for files).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SourceRef {
    pub provider: String,
    pub account: String,
    pub external_id: String,
}

impl SourceRef {
    /// A source ref from its three parts.
    pub fn new(
        provider: impl Into<String>,
        account: impl Into<String>,
        external_id: impl Into<String>,
    ) -> Self {
        SourceRef {
            provider: provider.into(),
            account: account.into(),
            external_id: external_id.into(),
        }
    }

    pub(crate) fn from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(SourceRef {
            provider: row.get("provider")?,
            account: row.get("account")?,
            external_id: row.get("external_id")?,
        })
    }

    /// For a nullable source ref (cases found on the agency have none).
    pub(crate) fn from_opt_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Option<Self>> {
        match row.get::<_, Option<String>>("provider")? {
            None => Ok(None),
            Some(_) => Self::from_row(row).map(Some),
        }
    }
}

impl std::fmt::Display for SourceRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}", self.provider, self.account, self.external_id)
    }
}

/// One debtor within one source account: the key of the per-debtor fixes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DebtorRef {
    pub provider: String,
    pub account: String,
    pub debtor_key: String,
}

text_enum! {
    /// Which agency environment a submission went to. Submissions are unique per environment,
    /// so trying an invoice against `test` does not block sending it to `production`.
    pub enum AgencyEnvironment {
        Test => "test",
        Production => "production",
    }
}
