//! Wire types of the Debitura Customer API, faithful to its OpenAPI spec
//! (camelCase JSON, amounts as JSON numbers, dates as `YYYY-MM-DD`).

mod amount;
mod enums;
mod request;
mod response;
mod text;
mod time;

pub use amount::Amount;
pub use enums::{BusinessErrorKind, CloseCode, DebtorType, DocumentType, Lifecycle};
pub(crate) use request::AdvanceBody;
pub use request::{AgeBreakdown, CreateCaseRequest, DebtorDto, TestAdvance};
pub use response::{
    AdvanceOutcome, AllocationOutstanding, AssignedUser, CaseDebtor, CaseDto, CaseFileDto,
    CaseValidation, CollectionPartner, MeDto, Page, PageData, PaymentDto, PaymentInvoice,
    SigningHandoff,
};
pub(crate) use response::{CaseList, PaymentList};
pub use text::{
    BoundedText, CountryAlpha2, CreditorReference, CurrencyCode, EmailAddress, LongText, TestTag,
    Text,
};
