// The UI's only door to the engine: one typed function per shell command.
// Every call rejects with a `UiError` (see errors.ts), never with a bare string.

import { invoke } from '@tauri-apps/api/core';
import { toUiError } from './errors';
import type {
  AppInfo,
  CasePage,
  CaseQuery,
  IntegrationCard,
  InvoicePage,
  InvoiceQuery,
  Settings,
} from './wire';

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (error) {
    throw toUiError(error);
  }
}

export const api = {
  appInfo: () => call<AppInfo>('app_info'),
  integrations: () => call<IntegrationCard[]>('list_integrations'),
  invoices: (query: InvoiceQuery) => call<InvoicePage>('list_invoices', { query }),
  cases: (query: CaseQuery) => call<CasePage>('list_cases', { query }),
  settings: () => call<Settings>('get_settings'),
};
