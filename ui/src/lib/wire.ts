// The engine's wire types, generated from `casebridge-engine`'s `api` module
// by ts-rs into src/gen/ (never edited by hand). Pages import them from here
// so there is one place to look.
//
// Note: ts-rs types the Rust i64/u64 fields (debtAgeDays, JobEvent.done and
// total) as `bigint`, but JSON delivers plain numbers at runtime; the UI
// only interpolates them into text, which behaves the same for both.

export type { AgencySettings } from '../gen/AgencySettings';
export type { AppInfo } from '../gen/AppInfo';
export type { Availability } from '../gen/Availability';
export type { CasePage } from '../gen/CasePage';
export type { CaseQuery } from '../gen/CaseQuery';
export type { CaseRow } from '../gen/CaseRow';
export type { ConnectionStatus } from '../gen/ConnectionStatus';
export type { FilterCounts } from '../gen/FilterCounts';
export type { IntegrationCard } from '../gen/IntegrationCard';
export type { IntegrationKind } from '../gen/IntegrationKind';
export type { InvoiceFilter } from '../gen/InvoiceFilter';
export type { InvoicePage } from '../gen/InvoicePage';
export type { InvoiceQuery } from '../gen/InvoiceQuery';
export type { InvoiceRow } from '../gen/InvoiceRow';
export type { InvoiceSortField } from '../gen/InvoiceSortField';
export type { Readiness } from '../gen/Readiness';
export type { RunMode } from '../gen/RunMode';
export type { SandboxService } from '../gen/SandboxService';
export type { Settings } from '../gen/Settings';
export type { UiError } from '../gen/UiError';
