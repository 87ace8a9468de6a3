// Wire types of the engine (crate `casebridge-engine`, module `api`).
//
// TODO(ts-rs): the lead generates these into `ui/src/gen/` with ts-rs; once
// that folder exists, re-export from there and delete the copies below so
// the types are written once. Names and shapes mirror `api.rs` exactly
// (serde camelCase fields, snake_case enum values, `Option<T>` = `T | null`).
// i64/u64 fields are `number` here: ts-rs maps them to `bigint`, but JSON
// delivers numbers, so the Rust side should mark them `#[ts(type = "number")]`.

export interface UiError {
  code: string;
  message: string;
  hint: string;
}

export type RunMode = 'normal' | 'demo';

export interface SandboxService {
  name: string;
  url: string;
}

export interface AppInfo {
  version: string;
  mode: RunMode;
  dataDir: string;
  dbPath: string;
  logDir: string;
  sandbox: SandboxService[];
}

export type IntegrationKind = 'stripe' | 'quickbooks' | 'zoho' | 'files' | 'agency';

export type Availability = { kind: 'available' } | { kind: 'not_built_yet'; note: string };

export type ConnectionStatus = 'not_connected' | 'connected' | 'needs_reconnect' | 'error';

export interface IntegrationCard {
  kind: IntegrationKind;
  title: string;
  blurb: string;
  availability: Availability;
  status: ConnectionStatus;
  account: string | null;
  environment: string | null;
  lastSuccessAt: string | null;
  tokenExpiresAt: string | null;
  lastError: UiError | null;
}

export type InvoiceFilter = 'all' | 'ready' | 'needs_fixing' | 'submitted' | 'duplicate';

export type InvoiceSortField = 'due_date' | 'issue_date' | 'amount' | 'debtor' | 'creditor_reference';

export interface InvoiceQuery {
  filter: InvoiceFilter;
  search: string | null;
  sort: InvoiceSortField;
  descending: boolean;
  offset: number;
  limit: number;
}

export type Readiness = 'ready' | 'needs_fixing' | 'submitted' | 'duplicate';

export interface InvoiceRow {
  sourceRef: string;
  provider: string;
  creditorReference: string | null;
  debtorName: string | null;
  amount: string;
  currency: string;
  issueDate: string;
  dueDate: string | null;
  debtAgeDays: number | null;
  readiness: Readiness;
  issueCount: number;
}

export interface FilterCounts {
  all: number;
  ready: number;
  needsFixing: number;
  submitted: number;
  duplicate: number;
}

export interface InvoicePage {
  rows: InvoiceRow[];
  total: number;
  counts: FilterCounts;
}

export interface CaseQuery {
  search: string | null;
  offset: number;
  limit: number;
}

export interface CaseRow {
  agencyCaseId: string;
  agencyReference: string | null;
  creditorReference: string | null;
  debtorName: string | null;
  amount: string;
  currency: string;
  lifecycle: string;
  paidAmount: string;
  sourceStatus: string;
  submittedAt: string | null;
  lastPolledAt: string | null;
}

export interface CasePage {
  rows: CaseRow[];
  total: number;
  lastPolledAt: string | null;
}

export interface AgencySettings {
  environment: string;
  baseUrl: string;
  keyStored: boolean;
}

export interface Settings {
  dataDir: string;
  dbPath: string;
  logDir: string;
  agency: AgencySettings | null;
}
