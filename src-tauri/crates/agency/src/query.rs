//! Query parameters of the list endpoints.

use std::num::NonZeroU32;

use uuid::Uuid;

use crate::error::{AgencyError, ValueProblem};
use crate::wire::Lifecycle;

/// Results per page: 1–100 (the agency's maximum).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PageSize(u8);

impl PageSize {
    pub const MAX: Self = Self(100);

    pub fn new(size: u32) -> Result<Self, AgencyError> {
        match u8::try_from(size) {
            Ok(small) if (1..=Self::MAX.0).contains(&small) => Ok(Self(small)),
            _ => Err(AgencyError::InvalidValue {
                field: "PageSize",
                problem: ValueProblem::OutOfRange {
                    min: 1,
                    max: u64::from(Self::MAX.0),
                    found: u64::from(size),
                },
            }),
        }
    }

    pub fn get(self) -> u32 {
        u32::from(self.0)
    }
}

impl Default for PageSize {
    fn default() -> Self {
        Self::MAX
    }
}

/// Fields `GET /cases` can sort by (unknown ones are ignored by the agency,
/// so only these are offered).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CaseSortField {
    DateCreated,
    DateUpdated,
    DateFinished,
    DateCollectionStarted,
    DueDate,
    Date,
    GrossAmount,
    Remainder,
    InterestFees,
    CollectionFees,
    ReminderFees,
    Lifecycle,
    CloseCode,
}

impl CaseSortField {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::DateCreated => "DateCreated",
            Self::DateUpdated => "DateUpdated",
            Self::DateFinished => "DateFinished",
            Self::DateCollectionStarted => "DateCollectionStarted",
            Self::DueDate => "DueDate",
            Self::Date => "Date",
            Self::GrossAmount => "GrossAmount",
            Self::Remainder => "Remainder",
            Self::InterestFees => "InterestFees",
            Self::CollectionFees => "CollectionFees",
            Self::ReminderFees => "ReminderFees",
            Self::Lifecycle => "Lifecycle",
            Self::CloseCode => "CloseCode",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CaseSort {
    pub field: CaseSortField,
    pub descending: bool,
}

/// Filters and paging of `GET /cases`.
///
/// List filters go out as repeated keys (`Ids=a&Ids=b`): the spec declares
/// them as arrays (OpenAPI's default form/explode style, which is what the
/// agency's generated SDKs send and what ASP.NET binds), although the
/// operation text says "comma-separated".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseQuery {
    pub page: NonZeroU32,
    pub page_size: PageSize,
    /// Sent as enum names.
    pub statuses: Vec<Lifecycle>,
    pub ids: Vec<Uuid>,
    pub debtor_ids: Vec<Uuid>,
    pub division_ids: Vec<Uuid>,
    pub sort: Vec<CaseSort>,
}

impl Default for CaseQuery {
    fn default() -> Self {
        Self {
            page: NonZeroU32::MIN,
            page_size: PageSize::MAX,
            statuses: Vec::new(),
            ids: Vec::new(),
            debtor_ids: Vec::new(),
            division_ids: Vec::new(),
            sort: Vec::new(),
        }
    }
}

impl CaseQuery {
    pub(crate) fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = vec![
            ("Page", self.page.to_string()),
            ("PageSize", self.page_size.get().to_string()),
        ];
        pairs.extend(
            self.statuses
                .iter()
                .map(|s| ("Statuses", s.name().to_owned())),
        );
        pairs.extend(self.ids.iter().map(|id| ("Ids", id.to_string())));
        pairs.extend(
            self.debtor_ids
                .iter()
                .map(|id| ("DebtorIds", id.to_string())),
        );
        pairs.extend(
            self.division_ids
                .iter()
                .map(|id| ("DivisionIds", id.to_string())),
        );
        if !self.sort.is_empty() {
            let sort: Vec<String> = self
                .sort
                .iter()
                .map(|s| {
                    format!(
                        "{}:{}",
                        s.field.as_str(),
                        if s.descending { "desc" } else { "asc" }
                    )
                })
                .collect();
            pairs.push(("Sort", sort.join(",")));
        }
        pairs
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_size_is_bounded_to_1_through_100() {
        assert_eq!(PageSize::new(100).expect("max").get(), 100);
        assert_eq!(PageSize::new(1).expect("min").get(), 1);
        for bad in [0, 101, 256, u32::MAX] {
            assert!(
                matches!(
                    PageSize::new(bad),
                    Err(AgencyError::InvalidValue {
                        problem: ValueProblem::OutOfRange { max: 100, .. },
                        ..
                    })
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn query_pairs_repeat_list_keys_use_enum_names_and_join_sorts() {
        let id = Uuid::nil();
        let query = CaseQuery {
            page: NonZeroU32::new(3).expect("non-zero"),
            page_size: PageSize::new(50).expect("ok"),
            statuses: vec![Lifecycle::NeedsAdditionalDetails, Lifecycle::Active],
            ids: vec![id, id],
            sort: vec![
                CaseSort {
                    field: CaseSortField::DateCreated,
                    descending: true,
                },
                CaseSort {
                    field: CaseSortField::DueDate,
                    descending: false,
                },
            ],
            ..CaseQuery::default()
        };
        let nil = id.to_string();
        assert_eq!(
            query.pairs(),
            vec![
                ("Page", "3".to_owned()),
                ("PageSize", "50".to_owned()),
                ("Statuses", "NeedsAdditionalDetails".to_owned()),
                ("Statuses", "Active".to_owned()),
                ("Ids", nil.clone()),
                ("Ids", nil),
                ("Sort", "DateCreated:desc,DueDate:asc".to_owned()),
            ]
        );
    }
}
