// The import of one file, window-wide so it survives navigating away: the
// engine's session (what was recognised), the mapping being edited, the
// preview counts, staging progress, and for a ZIP the documents and the
// user's approvals. It talks to the engine through an `ImportBackend`
// (`shellImportBackend` in importBackend.ts; tests pass a fake).

import { describeFile, type DroppedFile } from './files';
import { shellImportBackend } from './importBackend';
import { toUiError } from './errors';
import { draftFromSession, toWireMapping, type MappingDraft, type PreviewCounts, type RowFilter } from './importModel';
import type { ApproveDocumentsOutcome } from '../gen/ApproveDocumentsOutcome';
import type { CellFix } from '../gen/CellFix';
import type { DocumentBatch } from '../gen/DocumentBatch';
import type { DocumentUploadSummary } from '../gen/DocumentUploadSummary';
import type { ErrorFileSummary } from '../gen/ErrorFileSummary';
import type { ImportMapping } from '../gen/ImportMapping';
import type { ImportPreview } from '../gen/ImportPreview';
import type { ImportRow } from '../gen/ImportRow';
import type { ImportSession } from '../gen/ImportSession';
import type { MappingProfileSummary } from '../gen/MappingProfileSummary';
import type { ReadOptions } from '../gen/ReadOptions';
import type { StageRequest } from '../gen/StageRequest';
import type { StageSummary } from '../gen/StageSummary';
import type { UiError } from './wire';

export interface StageProgress {
  done: number;
  total: number | null;
  message: string;
}

export interface ImportBackend {
  open(path: string): Promise<ImportSession>;
  reopen(session: string, options: ReadOptions): Promise<ImportSession>;
  preview(session: string, mapping: ImportMapping, filter: RowFilter, offset: number, limit: number): Promise<ImportPreview>;
  /** The row as it reads after the fix. */
  fix(session: string, fix: CellFix): Promise<ImportRow>;
  /** Shows the save dialog; null when the user cancelled. Uses the mapping of the last preview. */
  exportErrors(session: string, suggestedName: string): Promise<ErrorFileSummary | null>;
  stage(session: string, request: StageRequest, onprogress: (p: StageProgress) => void): Promise<StageSummary>;
  /** Frees the engine's session (its fixes are forgotten). */
  close(session: string): Promise<unknown>;
  profiles(): Promise<MappingProfileSummary[]>;
  renameProfile(id: number, name: string): Promise<MappingProfileSummary>;
  deleteProfile(id: number): Promise<unknown>;
  /** Save dialog; the path written, null when cancelled. */
  exportProfile(id: number, suggestedName: string): Promise<string | null>;
  /** Open dialog; null when cancelled. */
  importProfile(): Promise<MappingProfileSummary | null>;
  openZip(path: string): Promise<DocumentBatch>;
  approve(batch: string, approvals: { index: number; sourceRef: string }[]): Promise<ApproveDocumentsOutcome>;
  /** Uploads every stored document whose case exists now. */
  uploadPending(): Promise<DocumentUploadSummary>;
}

export type Step = 'empty' | 'reading' | 'mapping' | 'preview' | 'staging' | 'staged' | 'documents';

export function countsOf(p: ImportPreview): PreviewCounts {
  return {
    total: p.total,
    valid: p.valid,
    ready: p.ready,
    needsFixing: p.needsFixing,
    invalid: p.invalid,
    duplicates: p.duplicates,
  };
}

export class ImportFlow {
  file: DroppedFile | null = $state(null);
  /** Other files of the same drop, opened one at a time. */
  others: DroppedFile[] = $state([]);
  step: Step = $state('empty');
  session: ImportSession | null = $state(null);
  draft: MappingDraft | null = $state(null);
  /** The mapping the preview was read with. */
  confirmed: ImportMapping | null = $state(null);
  saveProfileAs: string | null = $state(null);
  counts: PreviewCounts | null = $state(null);
  /** Bumped when rows changed in the engine (a fix), so the table re-reads. */
  rowsVersion = $state(0);
  stageProgress: StageProgress | null = $state(null);
  stageResult: StageSummary | null = $state(null);
  batch: DocumentBatch | null = $state(null);
  /** Approved document index → the invoice it was approved for. */
  approved: Map<number, string> = $state(new Map());
  approveOutcome: ApproveDocumentsOutcome | null = $state(null);
  error: UiError | null = $state(null);
  busy = $state(false);

  constructor(private backend: ImportBackend) {}

  setBackend(backend: ImportBackend): void {
    this.backend = backend;
  }

  get api(): ImportBackend {
    return this.backend;
  }

  reset(): void {
    // The engine keeps a session's fixes until it is closed; a new file starts clean.
    if (this.session) this.backend.close(this.session.id).catch(() => undefined);
    this.file = null;
    this.others = [];
    this.step = 'empty';
    this.session = null;
    this.draft = null;
    this.confirmed = null;
    this.saveProfileAs = null;
    this.counts = null;
    this.stageProgress = null;
    this.stageResult = null;
    this.batch = null;
    this.approved = new Map();
    this.approveOutcome = null;
    this.error = null;
    this.busy = false;
  }

  private async run<T>(work: () => Promise<T>): Promise<T | undefined> {
    this.busy = true;
    this.error = null;
    try {
      return await work();
    } catch (error) {
      this.error = toUiError(error);
      return undefined;
    } finally {
      this.busy = false;
    }
  }

  private took(session: ImportSession): void {
    this.session = session;
    this.draft = draftFromSession(session);
    this.saveProfileAs = session.profile?.name ?? defaultProfileName(session.fileName);
    this.confirmed = null;
    this.counts = null;
    this.step = 'mapping';
  }

  /** Several files were dropped or picked: open the first importable one, keep the rest listed. */
  async openMany(paths: string[]): Promise<void> {
    const files = paths.map((p) => describeFile(p));
    const first = files.find((f) => f.kind !== 'unsupported') ?? files[0];
    if (!first) return;
    await this.open(first.path);
    this.others = files.filter((f) => f !== first);
  }

  /** A file was dropped, picked or typed: recognise it and read it. */
  async open(path: string): Promise<void> {
    const file = describeFile(path.trim());
    const others = this.others.filter((f) => f.path !== file.path);
    this.reset();
    this.file = file;
    this.others = others;
    if (file.kind === 'unsupported') return;
    this.step = 'reading';
    if (file.kind === 'archive') {
      const batch = await this.run(() => this.backend.openZip(file.path));
      this.batch = batch ?? null;
      this.step = batch ? 'documents' : 'empty';
      return;
    }
    const session = await this.run(() => this.backend.open(file.path));
    if (session) this.took(session);
    else this.step = 'empty';
  }

  /** Reads the file again with the user's reading choices (encoding, delimiter, header row, sheet). */
  async reread(options: ReadOptions): Promise<void> {
    const current = this.session;
    if (!current) return;
    this.step = 'reading';
    const session = await this.run(() => this.backend.reopen(current.id, options));
    if (session) this.took(session);
    else this.step = 'mapping';
  }

  /** The user accepted the mapping: read every row with it. */
  async confirmMapping(saveProfile: boolean): Promise<void> {
    const session = this.session;
    if (!session || !this.draft) return;
    const mapping = toWireMapping($state.snapshot(this.draft) as MappingDraft);
    if (!saveProfile) this.saveProfileAs = null;
    const first = await this.run(() => this.backend.preview(session.id, mapping, 'all', 0, 1));
    if (!first) return;
    this.confirmed = mapping;
    this.counts = countsOf(first);
    this.rowsVersion++;
    this.step = 'preview';
  }

  backToMapping(): void {
    this.step = 'mapping';
  }

  /** One page of preview rows; every answer refreshes the counts. */
  async rows(filter: RowFilter, offset: number, limit: number): Promise<ImportPreview> {
    const session = this.session;
    const mapping = this.confirmed;
    if (!session || !mapping) return { total: 0, valid: 0, ready: 0, needsFixing: 0, invalid: 0, duplicates: 0, matching: 0, rows: [] };
    const page = await this.backend.preview(session.id, mapping, filter, offset, limit);
    this.counts = countsOf(page);
    return page;
  }

  /** Applies cell fixes to a row; the row as it reads afterwards, undefined when a fix failed. */
  async fixRow(rowNumber: number, changes: { column: number; value: string }[]): Promise<ImportRow | undefined> {
    const session = this.session;
    if (!session || changes.length === 0) return undefined;
    const fixed = await this.run(async () => {
      let latest: ImportRow | undefined;
      for (const { column, value } of changes) latest = await this.backend.fix(session.id, { rowNumber, column, value });
      return latest;
    });
    this.rowsVersion++;
    return fixed;
  }

  async exportErrors(): Promise<ErrorFileSummary | null | undefined> {
    const session = this.session;
    const mapping = this.confirmed;
    if (!session || !mapping) return undefined;
    return this.run(() => this.backend.exportErrors(session.id, `${defaultProfileName(session.fileName)} - rows to fix`));
  }

  async stage(): Promise<void> {
    const session = this.session;
    const mapping = this.confirmed;
    if (!session || !mapping) return;
    this.step = 'staging';
    this.stageProgress = { done: 0, total: this.counts?.valid ?? null, message: '' };
    const request: StageRequest = { mapping, saveProfileAs: this.saveProfileAs?.trim() || null };
    const result = await this.run(() => this.backend.stage(session.id, request, (p) => (this.stageProgress = p)));
    if (result) {
      this.stageResult = result;
      this.step = 'staged';
    } else {
      this.step = 'preview';
    }
  }

  async approve(approvals: { index: number; sourceRef: string }[]): Promise<void> {
    const batch = this.batch;
    if (!batch || approvals.length === 0) return;
    const outcome = await this.run(() => this.backend.approve(batch.id, approvals));
    if (!outcome) return;
    const next = new Map(this.approved);
    for (const a of approvals) next.set(a.index, a.sourceRef);
    this.approved = next;
    this.approveOutcome = outcome;
  }

  /** Retries the uploads: documents whose case was accepted since go up now. */
  async uploadPending(): Promise<void> {
    const outcome = this.approveOutcome;
    if (!outcome) return;
    const upload = await this.run(() => this.backend.uploadPending());
    if (upload) this.approveOutcome = { ...outcome, upload };
  }
}

/** "Debitorliste marts.csv" → "Debitorliste marts". */
export function defaultProfileName(fileName: string): string {
  const dot = fileName.lastIndexOf('.');
  return (dot > 0 ? fileName.slice(0, dot) : fileName).trim();
}

export const importFlow = new ImportFlow(shellImportBackend);
