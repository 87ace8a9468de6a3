// The engine's wire types, generated from `casebridge-engine`'s `api` module
// by ts-rs into src/gen/ (never edited by hand). Pages import them from here
// so there is one place to look.
//
// Note: ts-rs types the Rust i64/u64 fields (debtAgeDays, JobEvent.done and
// total) as `bigint`, but JSON delivers plain numbers at runtime; the UI
// only interpolates them into text, which behaves the same for both.

export type { AgencyConnection } from '../gen/AgencyConnection';
export type { AgencyEnvironmentChoice } from '../gen/AgencyEnvironmentChoice';
export type { AgencySettings } from '../gen/AgencySettings';
export type { AppInfo } from '../gen/AppInfo';
export type { BeginConnectRequest } from '../gen/BeginConnectRequest';
export type { BlockedItem } from '../gen/BlockedItem';
export type { CaseAtSource } from '../gen/CaseAtSource';
export type { CasePage } from '../gen/CasePage';
export type { CaseQuery } from '../gen/CaseQuery';
export type { CaseRow } from '../gen/CaseRow';
export type { ChooseOrganizationRequest } from '../gen/ChooseOrganizationRequest';
export type { ConnectAgencyRequest } from '../gen/ConnectAgencyRequest';
export type { ConnectStarted } from '../gen/ConnectStarted';
export type { ConnectStripeRequest } from '../gen/ConnectStripeRequest';
export type { ConnectionStatus } from '../gen/ConnectionStatus';
export type { CurrencyTotal } from '../gen/CurrencyTotal';
export type { DailyQuotaSeen } from '../gen/DailyQuotaSeen';
export type { DebtorEdits } from '../gen/DebtorEdits';
export type { DebtorView } from '../gen/DebtorView';
export type { FetchRequest } from '../gen/FetchRequest';
export type { FetchSummary } from '../gen/FetchSummary';
export type { FilterCounts } from '../gen/FilterCounts';
export type { FixDebtorRequest } from '../gen/FixDebtorRequest';
export type { FixDebtorResult } from '../gen/FixDebtorResult';
export type { IntegrationCard } from '../gen/IntegrationCard';
export type { IntegrationKind } from '../gen/IntegrationKind';
export type { InvoiceDetail } from '../gen/InvoiceDetail';
export type { InvoiceFilter } from '../gen/InvoiceFilter';
export type { InvoicePage } from '../gen/InvoicePage';
export type { InvoiceQuery } from '../gen/InvoiceQuery';
export type { InvoiceRow } from '../gen/InvoiceRow';
export type { InvoiceSortField } from '../gen/InvoiceSortField';
export type { IssueSeverity } from '../gen/IssueSeverity';
export type { JobEvent } from '../gen/JobEvent';
export type { JobCounts } from '../gen/JobCounts';
export type { JobPhase } from '../gen/JobPhase';
export type { OAuthClientSettings } from '../gen/OAuthClientSettings';
export type { OAuthConnection } from '../gen/OAuthConnection';
export type { OAuthEnvironment } from '../gen/OAuthEnvironment';
export type { OAuthFinished } from '../gen/OAuthFinished';
export type { OAuthHealth } from '../gen/OAuthHealth';
export type { OAuthProvider } from '../gen/OAuthProvider';
export type { PreviewItem } from '../gen/PreviewItem';
export type { Readiness } from '../gen/Readiness';
export type { RedirectKind } from '../gen/RedirectKind';
export type { RuleIssue } from '../gen/RuleIssue';
export type { RunMode } from '../gen/RunMode';
export type { SandboxService } from '../gen/SandboxService';
export type { SaveOAuthClientRequest } from '../gen/SaveOAuthClientRequest';
export type { Settings } from '../gen/Settings';
export type { SourceCheckRequest } from '../gen/SourceCheckRequest';
export type { SourceCheckSummary } from '../gen/SourceCheckSummary';
export type { StripeConnection } from '../gen/StripeConnection';
export type { SubmissionResult } from '../gen/SubmissionResult';
export type { SubmissionState } from '../gen/SubmissionState';
export type { SubmitOutcome } from '../gen/SubmitOutcome';
export type { SubmitPreview } from '../gen/SubmitPreview';
export type { SubmitRequest } from '../gen/SubmitRequest';
export type { SubmitSummary } from '../gen/SubmitSummary';
export type { UiError } from '../gen/UiError';
export type { ZohoOrganization } from '../gen/ZohoOrganization';
