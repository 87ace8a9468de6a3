import { describe, expect, it } from 'vitest';
import { toUiError } from './errors';

describe('toUiError', () => {
  it('passes an engine error through unchanged', () => {
    const e = { code: 'store_locked', message: 'The database is busy.', hint: 'Close the other window.' };
    expect(toUiError(e)).toEqual(e);
  });

  it('drops extra fields so nothing unexpected reaches the screen', () => {
    expect(toUiError({ code: 'a', message: 'b', hint: 'c', token: 'secret' })).toEqual({ code: 'a', message: 'b', hint: 'c' });
  });

  it('wraps a string rejection from the shell with a hint', () => {
    const ui = toUiError('command list_invoices not allowed by ACL');
    expect(ui.code).toBe('shell_rejected');
    expect(ui.message).toBe('command list_invoices not allowed by ACL');
    expect(ui.hint).not.toBe('');
  });

  it('keeps the message of a JavaScript exception', () => {
    expect(toUiError(new TypeError('x is undefined'))).toMatchObject({ code: 'ui_exception', message: 'x is undefined' });
  });

  it('explains an error that carries nothing', () => {
    expect(toUiError(undefined).code).toBe('unknown');
    expect(toUiError({ code: 1 }).code).toBe('unknown');
  });
});
