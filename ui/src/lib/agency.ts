// The agency environments as the Settings form offers them.

import type { AgencyConnection, AgencyEnvironmentChoice, SandboxService } from './wire';

export const ENVIRONMENTS: { id: AgencyEnvironmentChoice; label: string; detail: string }[] = [
  { id: 'production', label: 'Production', detail: 'Real cases at customer-api.debitura.com.' },
  {
    id: 'production_test_mode',
    label: 'Production, test mode',
    detail: 'The production API with isTest: cases are fully validated but never collected. Debitura’s way to try the API.',
  },
  { id: 'test', label: 'Test environment', detail: 'testcustomer-api.debitura.com (referral partners’ test environment).' },
  { id: 'custom', label: 'Custom URL', detail: 'Any base URL, e.g. a local sandbox. Cases are sent as test cases.' },
];

export function environmentLabel(id: AgencyEnvironmentChoice): string {
  return ENVIRONMENTS.find((e) => e.id === id)?.label ?? id;
}

const trimSlash = (url: string) => url.replace(/\/+$/, '');

/** Demo mode's built-in fake agency, if the connection points at it. */
export function isSandboxConnection(connection: AgencyConnection | null, sandbox: readonly SandboxService[]): boolean {
  if (!connection) return false;
  return sandbox.some((s) => trimSlash(s.url) === trimSlash(connection.baseUrl));
}

export interface AgencyFormInput {
  environment: AgencyEnvironmentChoice;
  baseUrl: string;
  apiKey: string;
}

/** What the form would send, or why it cannot send yet (checked again by the engine). */
export function validateAgencyForm(input: AgencyFormInput): { ok: true } | { ok: false; field: 'apiKey' | 'baseUrl'; message: string } {
  if (input.apiKey.trim() === '') {
    return { ok: false, field: 'apiKey', message: 'Paste the API key from app.debitura.com/CreditorApiKey.' };
  }
  if (input.environment === 'custom') {
    const url = input.baseUrl.trim();
    if (url === '') return { ok: false, field: 'baseUrl', message: 'A custom environment needs its base URL.' };
    if (!/^https?:\/\/[^\s/]+/i.test(url)) {
      return { ok: false, field: 'baseUrl', message: 'The base URL must start with https:// (or http:// for a local sandbox).' };
    }
  }
  return { ok: true };
}
