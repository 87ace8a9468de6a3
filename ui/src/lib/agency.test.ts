import { describe, expect, it } from 'vitest';
import { environmentLabel, isSandboxConnection, validateAgencyForm } from './agency';

describe('agency settings form', () => {
  it('asks for the key before anything is sent to the agency', () => {
    const r = validateAgencyForm({ environment: 'production', baseUrl: '', apiKey: '   ' });
    expect(r).toMatchObject({ ok: false, field: 'apiKey' });
  });

  it('needs a base URL, with a scheme, only for the custom environment', () => {
    expect(validateAgencyForm({ environment: 'test', baseUrl: '', apiKey: 'k' })).toEqual({ ok: true });
    expect(validateAgencyForm({ environment: 'custom', baseUrl: '', apiKey: 'k' })).toMatchObject({ field: 'baseUrl' });
    expect(validateAgencyForm({ environment: 'custom', baseUrl: '127.0.0.1:8080', apiKey: 'k' })).toMatchObject({
      field: 'baseUrl',
    });
    expect(validateAgencyForm({ environment: 'custom', baseUrl: 'http://127.0.0.1:8080', apiKey: 'k' })).toEqual({ ok: true });
  });

  it('recognises the demo sandbox regardless of a trailing slash', () => {
    const connection = { environment: 'custom' as const, baseUrl: 'http://127.0.0.1:4010/', companyName: 'Demo', keyHint: '…-key' };
    expect(isSandboxConnection(connection, [{ name: 'agency', url: 'http://127.0.0.1:4010' }])).toBe(true);
    expect(isSandboxConnection(connection, [])).toBe(false);
    expect(isSandboxConnection(null, [{ name: 'agency', url: 'http://127.0.0.1:4010' }])).toBe(false);
  });

  it('labels every environment', () => {
    expect(environmentLabel('production_test_mode')).toBe('Production, test mode');
  });
});
