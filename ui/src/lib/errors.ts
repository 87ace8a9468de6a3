// Turns whatever a failed call produced into the `{ code, message, hint }`
// shape the engine uses, so every error renders the same way.

import type { UiError } from './wire';

const FALLBACK_HINT =
  'Try again. If it keeps happening, note the technical details below and check the log folder shown in Settings.';

function isUiError(value: unknown): value is UiError {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.code === 'string' && typeof v.message === 'string' && typeof v.hint === 'string';
}

export function toUiError(error: unknown): UiError {
  if (isUiError(error)) return { code: error.code, message: error.message, hint: error.hint };
  if (typeof error === 'string') {
    // Tauri rejects with a plain string when the shell itself refuses a call
    // (unknown command, missing permission, bad arguments).
    return { code: 'shell_rejected', message: error, hint: FALLBACK_HINT };
  }
  if (error instanceof Error) {
    return { code: 'ui_exception', message: error.message, hint: FALLBACK_HINT };
  }
  return { code: 'unknown', message: 'Something went wrong without an explanation.', hint: FALLBACK_HINT };
}
