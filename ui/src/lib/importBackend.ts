// The import flow's door to the shell: one invoke per engine command of
// file import (engine api/import.rs) and ZIP documents (api/documents.rs).
// Rejections are turned into `UiError`s by the flow.

import { invoke } from '@tauri-apps/api/core';
import { api } from './api';
import type { ImportBackend } from './importFlow.svelte';
import type { ImportPage } from '../gen/ImportPage';

export const shellImportBackend: ImportBackend = {
  open: (path) => invoke('open_import', { path }),
  reopen: (sessionId, options) => invoke('reopen_import', { sessionId, options }),
  preview: (sessionId, mapping, filter, offset, limit) => {
    const page: ImportPage = { offset, limit, filter };
    return invoke('preview_import', { sessionId, mapping, page });
  },
  fix: (sessionId, fix) => invoke('fix_import_row', { sessionId, fix }),
  exportErrors: (sessionId, mapping) => invoke('export_import_errors', { sessionId, mapping, format: 'xlsx' }),
  stage: async (sessionId, request, onprogress) => {
    const unlisten = await api.onJobProgress((event) => {
      if (event.kind !== 'import') return;
      onprogress({ done: Number(event.done), total: event.total === null ? null : Number(event.total), message: event.message });
    });
    try {
      return await invoke('stage_import', { sessionId, request });
    } finally {
      unlisten();
    }
  },
  profiles: () => invoke('list_mapping_profiles'),
  renameProfile: (id, name) => invoke('rename_mapping_profile', { id, name }),
  deleteProfile: (id) => invoke('delete_mapping_profile', { id }),
  exportProfile: (id) => invoke('export_mapping_profile', { id }),
  importProfile: () => invoke('import_mapping_profile'),
  openZip: (path) => invoke('open_document_zip', { path }),
  approve: (batchId, approvals) =>
    invoke('approve_documents', {
      request: { batchId, approvals: approvals.map((a) => ({ ...a, documentType: null })) },
    }),
};
