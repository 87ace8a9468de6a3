// The import flow's door to the shell: one invoke per engine command of
// file import (engine api/import.rs) and ZIP documents (api/documents.rs).
// Rejections are turned into `UiError`s by the flow.

import { invoke } from '@tauri-apps/api/core';
import { open } from '@tauri-apps/plugin-dialog';
import { api } from './api';
import type { ImportBackend } from './importFlow.svelte';
import type { ImportPage } from '../gen/ImportPage';

export const shellImportBackend: ImportBackend = {
  open: (path) => invoke('open_import', { path }),
  reopen: (id, options) => invoke('reopen_import', { id, options }),
  preview: (id, mapping, filter, offset, limit) => {
    const page: ImportPage = { offset, limit, filter };
    return invoke('preview_import', { id, mapping, page });
  },
  fix: (id, fix) => invoke('fix_import_row', { id, fix }),
  exportErrors: (id, suggestedName) => invoke('export_import_errors', { id, suggestedName, format: 'xlsx' }),
  stage: async (id, request, onprogress) => {
    const unlisten = await api.onJobProgress((event) => {
      if (event.kind !== 'import') return;
      onprogress({ done: Number(event.done), total: event.total === null ? null : Number(event.total), message: event.message });
    });
    try {
      return await invoke('stage_import', { id, request });
    } finally {
      unlisten();
    }
  },
  close: (id) => invoke('close_import', { id }),
  profiles: () => invoke('list_mapping_profiles'),
  renameProfile: (id, name) => invoke('rename_mapping_profile', { id, name }),
  deleteProfile: (id) => invoke('delete_mapping_profile', { id }),
  exportProfile: (id, suggestedName) => invoke('export_mapping_profile', { id, suggestedName }),
  importProfile: async () => {
    // Reading needs no save dialog: the open dialog picks the file, the engine checks it.
    const path = await open({ multiple: false, directory: false, filters: [{ name: 'Mapping profile', extensions: ['json'] }] });
    return path === null ? null : invoke('import_mapping_profile', { path });
  },
  openZip: (path) => invoke('open_document_zip', { path }),
  approve: (batchId, approvals) =>
    invoke('approve_documents', {
      request: { batchId, approvals: approvals.map((a) => ({ ...a, documentType: null })) },
    }),
  uploadPending: () => invoke('upload_pending_documents'),
};
