// The submit flow, window-wide: confirmation → progress → result list.
//
// It lives outside the Invoices page so a running submit keeps its state
// (and its dialog) whatever page is shown. Nothing is sent before `send()`,
// which only the confirmation's "Send N cases" button calls, and it sends
// exactly the invoices the confirmation listed as "will send".

import { api } from './api';
import { initialProgress, reduceProgress, type SubmitProgress } from './jobProgress';
import type { AgencyConnection, SubmitOutcome, SubmitPreview, UiError } from './wire';

export type SubmitStage =
  | { kind: 'closed' }
  | { kind: 'previewing'; refs: string[] }
  | { kind: 'preview-error'; refs: string[]; error: UiError }
  | { kind: 'confirm'; preview: SubmitPreview; connection: AgencyConnection | null }
  | { kind: 'dry-run'; preview: SubmitPreview }
  | { kind: 'sending'; preview: SubmitPreview }
  | { kind: 'done'; preview: SubmitPreview; outcome: SubmitOutcome }
  | { kind: 'send-error'; preview: SubmitPreview; error: UiError };

/** What the progress view names as the destination of a resumed run. */
export const RESUMED_DESTINATION = 'the connected agency (cases queued by an earlier run)';

class SubmitFlow {
  stage: SubmitStage = $state({ kind: 'closed' });
  progress: SubmitProgress = $state(initialProgress(0));
  stopping = $state(false);
  private connection: AgencyConnection | null = null;
  /** Bumped after every send (whatever its end), so pages re-read their data. */
  completed = $state(0);

  get isOpen(): boolean {
    return this.stage.kind !== 'closed';
  }

  /** Builds the dry run for these invoices and shows the confirmation. */
  async open(refs: string[]): Promise<void> {
    if (refs.length === 0 || this.stage.kind === 'sending') return;
    this.stage = { kind: 'previewing', refs };
    try {
      const [preview, connection] = await Promise.all([
        api.previewSubmission({ sourceRefs: refs }),
        api.agencyConnection(),
      ]);
      this.connection = connection;
      if (this.stage.kind === 'previewing') this.stage = { kind: 'confirm', preview, connection };
    } catch (error) {
      if (this.stage.kind === 'previewing') this.stage = { kind: 'preview-error', refs, error: error as UiError };
    }
  }

  retryPreview(): void {
    if (this.stage.kind === 'preview-error') void this.open(this.stage.refs);
  }

  /** "Dry run only": the same check, shown as the final word; nothing is sent. */
  showDryRun(): void {
    if (this.stage.kind === 'confirm') this.stage = { kind: 'dry-run', preview: this.stage.preview };
  }

  backToConfirm(): void {
    if (this.stage.kind === 'dry-run') this.stage = { kind: 'confirm', preview: this.stage.preview, connection: this.connection };
  }

  async send(): Promise<void> {
    if (this.stage.kind !== 'confirm' || this.stage.connection === null) return;
    const preview = this.stage.preview;
    const sourceRefs = preview.willSend.map((item) => item.sourceRef);
    if (sourceRefs.length === 0) return;
    this.progress = initialProgress(sourceRefs.length);
    this.stopping = false;
    // Listen before sending so the first event is not missed.
    const unlisten = await api.onJobProgress((event) => {
      this.progress = reduceProgress(this.progress, event);
    });
    this.stage = { kind: 'sending', preview };
    try {
      const outcome = await api.submit({ sourceRefs });
      this.stage = { kind: 'done', preview, outcome };
    } catch (error) {
      this.stage = { kind: 'send-error', preview, error: error as UiError };
    } finally {
      unlisten();
      this.stopping = false;
      this.completed++;
    }
  }

  /**
   * Sends what an earlier, stopped or interrupted run left in the outbox
   * (`pending` cases), through the same progress and result views. Nothing
   * new is queued, so there is no confirmation: each of these cases was
   * confirmed when it was queued.
   */
  async resume(pending: number): Promise<void> {
    if (pending <= 0 || this.stage.kind === 'sending') return;
    const preview: SubmitPreview = { willSend: [], blocked: [], totals: [], destination: RESUMED_DESTINATION };
    this.progress = initialProgress(pending);
    this.stopping = false;
    const unlisten = await api.onJobProgress((event) => {
      this.progress = reduceProgress(this.progress, event);
    });
    this.stage = { kind: 'sending', preview };
    try {
      const summary = await api.resumeSubmissions();
      this.stage = { kind: 'done', preview, outcome: { batchId: summary.batchId ?? '', queued: preview, summary } };
    } catch (error) {
      this.stage = { kind: 'send-error', preview, error: error as UiError };
    } finally {
      unlisten();
      this.stopping = false;
      this.completed++;
    }
  }

  /** Stops after the sends in flight; what is queued stays queued. */
  async stop(): Promise<void> {
    if (this.stage.kind !== 'sending' || this.stopping) return;
    this.stopping = true;
    try {
      await api.cancelSubmission();
    } catch {
      // The run ends on its own; its result says what happened.
      this.stopping = false;
    }
  }

  /** Closing is refused while sending: Stop is the way out then. */
  close(): void {
    if (this.stage.kind === 'sending') return;
    this.stage = { kind: 'closed' };
  }
}

export const submitFlow = new SubmitFlow();
