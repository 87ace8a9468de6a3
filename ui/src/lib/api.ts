// The UI's only door to the engine: one typed function per shell command.
// Every call rejects with a `UiError` (see errors.ts), never with a bare string.

import { invoke } from '@tauri-apps/api/core';
import { listen, type UnlistenFn } from '@tauri-apps/api/event';
import { toUiError } from './errors';
import type {
  AgencyConnection,
  AppInfo,
  BeginConnectRequest,
  CasePage,
  CaseQuery,
  ChooseOrganizationRequest,
  ConnectAgencyRequest,
  ConnectStarted,
  ConnectStripeRequest,
  FetchRequest,
  FetchSummary,
  FixDebtorRequest,
  FixDebtorResult,
  IntegrationCard,
  InvoiceDetail,
  InvoicePage,
  InvoiceQuery,
  JobEvent,
  OAuthClientSettings,
  OAuthConnection,
  OAuthFinished,
  OAuthProvider,
  SaveOAuthClientRequest,
  Settings,
  SourceCheckRequest,
  SourceCheckSummary,
  StripeConnection,
  SubmitOutcome,
  SubmitPreview,
  SubmitRequest,
  SubmitSummary,
  ZohoOrganization,
} from './wire';

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (error) {
    throw toUiError(error);
  }
}

/** The shell's event when a deep-link (casebridge://oauth/callback) sign-in ended. */
export const OAUTH_FINISHED = 'oauth://finished';

/** The shell's event for long jobs (fetch, import, submit). */
export const JOB_PROGRESS = 'job://progress';

export const api = {
  appInfo: () => call<AppInfo>('app_info'),
  integrations: () => call<IntegrationCard[]>('list_integrations'),
  invoices: (query: InvoiceQuery) => call<InvoicePage>('list_invoices', { query }),
  invoiceDetail: (sourceRef: string) => call<InvoiceDetail>('invoice_detail', { sourceRef }),
  fixDebtor: (request: FixDebtorRequest) => call<FixDebtorResult>('fix_debtor', { request }),
  cases: (query: CaseQuery) => call<CasePage>('list_cases', { query }),
  refreshCases: () => call<number>('refresh_cases'),
  /** Asks the sources whether submitted invoices were paid there; progress as `source_check` job events. */
  checkAtSource: (request: SourceCheckRequest) => call<SourceCheckSummary>('check_at_source', { request }),
  settings: () => call<Settings>('get_settings'),
  connectAgency: (request: ConnectAgencyRequest) => call<AgencyConnection>('connect_agency', { request }),
  connectStripe: (request: ConnectStripeRequest) => call<StripeConnection>('connect_stripe', { request }),
  /** Progress arrives as job://progress events of kind "fetch". */
  fetchStripe: (request: FetchRequest) => call<FetchSummary>('fetch_stripe', { request }),
  /** Stops the running Stripe fetch; what was read is kept. False when none ran. */
  cancelFetch: () => call<boolean>('cancel_fetch'),
  agencyConnection: () => call<AgencyConnection | null>('agency_connection'),
  /** The dry run: sends and writes nothing. */
  previewSubmission: (request: SubmitRequest) => call<SubmitPreview>('preview_submission', { request }),
  /** Sends cases. Only the confirmation dialog calls this. */
  submit: (request: SubmitRequest) => call<SubmitOutcome>('submit', { request }),
  cancelSubmission: () => call<boolean>('cancel_submission'),
  /** Cases left in the outbox by a stopped or interrupted run. */
  pendingSubmissions: () => call<number>('pending_submissions'),
  /** Sends what is queued (progress as job://progress events of kind "submit"). */
  resumeSubmissions: () => call<SubmitSummary>('resume_submissions'),
  /** Shows the save dialog and writes `contents` there; null when the user cancelled. */
  saveJsonExport: (suggestedName: string, contents: string) =>
    call<string | null>('save_json_export', { suggestedName, contents }),
  // ---- QuickBooks Online and Zoho Books (OAuth) ----
  oauthClientSettings: (provider: OAuthProvider) => call<OAuthClientSettings>('oauth_client_settings', { provider }),
  saveOAuthClient: (request: SaveOAuthClientRequest) => call<OAuthClientSettings>('save_oauth_client', { request }),
  /** Opens the consent page in the system browser; `finishOAuthConnect` waits for the redirect. */
  beginOAuthConnect: (request: BeginConnectRequest) => call<ConnectStarted>('begin_oauth_connect', { request }),
  /** Resolves when the browser came back (loopback or deep link), or rejects: denied, time-out, cancelled. */
  finishOAuthConnect: () => call<OAuthConnection>('finish_oauth_connect'),
  cancelOAuthConnect: () => call<boolean>('cancel_oauth_connect'),
  zohoOrganizations: () => call<ZohoOrganization[]>('zoho_organizations'),
  chooseZohoOrganization: (request: ChooseOrganizationRequest) =>
    call<OAuthConnection>('choose_zoho_organization', { request }),
  disconnectOAuth: (provider: OAuthProvider) => call<void>('disconnect_oauth', { provider }),
  /** Progress arrives as job://progress events of kind "fetch". */
  fetchQuickbooks: (request: FetchRequest) => call<FetchSummary>('fetch_quickbooks', { request }),
  fetchZoho: (request: FetchRequest) => call<FetchSummary>('fetch_zoho', { request }),
  onOAuthFinished: (handler: (event: OAuthFinished) => void): Promise<UnlistenFn> =>
    listen<OAuthFinished>(OAUTH_FINISHED, (e) => handler(e.payload)),
  onJobProgress: (handler: (event: JobEvent) => void): Promise<UnlistenFn> =>
    listen<JobEvent>(JOB_PROGRESS, (e) => handler(e.payload)),
};
