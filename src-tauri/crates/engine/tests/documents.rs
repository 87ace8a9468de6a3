//! A ZIP of documents end to end against the agency fake: extraction and
//! matching, approval, upload to existing cases at once and to later cases
//! when their submission is accepted, and nothing stored or sent twice.

mod support;

use std::io::Write;
use std::sync::Arc;

use casebridge_engine::api::{
    AgencyDocumentType, ApproveDocumentsRequest, DocumentApproval, DocumentBatch, DocumentStatus,
    MatchBasis, RunMode, SubmitRequest,
};
use casebridge_engine::{CancelFlag, Engine, EngineConfig, FixedClock, NoProgress};
use chrono::{TimeZone, Utc};
use support::ready_invoice;

async fn demo_engine(dir: &tempfile::TempDir) -> Engine {
    demo_engine_at(dir, Utc.with_ymd_and_hms(2026, 11, 1, 9, 0, 0).unwrap()).await
}

async fn demo_engine_at(dir: &tempfile::TempDir, now: chrono::DateTime<Utc>) -> Engine {
    let clock = Arc::new(FixedClock(now));
    let config = EngineConfig {
        data_dir: dir.path().join("data"),
        mode: RunMode::Demo,
        demo_agency_url: None,
        demo_stripe_url: None,
    };
    Engine::start_with(config, clock, support::secrets())
        .await
        .unwrap()
}

fn pdf(text: &str) -> Vec<u8> {
    format!("%PDF-1.4\n1 0 obj\n<< /Length 40 >>\nstream\nBT ({text}) Tj ET\nendstream\nendobj\n%%EOF\n").into_bytes()
}

fn write_zip(path: &std::path::Path, files: &[(&str, Vec<u8>)]) {
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    for (name, bytes) in files {
        zip.start_file(*name, zip::write::SimpleFileOptions::default())
            .unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap();
}

async fn submit(engine: &Engine, source_ref: &str) {
    engine
        .enqueue_submission(SubmitRequest {
            source_refs: vec![source_ref.to_owned()],
        })
        .await
        .unwrap();
    let summary = engine
        .run_submissions(Arc::new(NoProgress), CancelFlag::default())
        .await
        .unwrap();
    assert_eq!(summary.accepted, 1, "{summary:#?}");
}

fn matched_ref(batch: &DocumentBatch, index: usize) -> String {
    match &batch.entries[index].status {
        DocumentStatus::Matched { candidate } => candidate.target.source_ref.clone(),
        other => panic!(
            "entry {index} ({}) not matched: {other:?}",
            batch.entries[index].name
        ),
    }
}

#[tokio::test]
async fn zip_documents_are_matched_approved_and_uploaded_once_their_case_exists() {
    let dir = tempfile::tempdir().unwrap();
    let engine = demo_engine(&dir).await;
    engine
        .cache_invoices((1..=3).map(ready_invoice).collect(), "open")
        .await
        .unwrap();
    let refs: Vec<String> = (1..=3)
        .map(|n| ready_invoice(n).source.to_string())
        .collect();
    submit(&engine, &refs[0]).await;

    let zip_path = dir.path().join("documents.zip");
    write_zip(
        &zip_path,
        &[
            ("March/INV-000001.pdf", pdf("Invoice INV-000001")),
            ("Rykker INV-000002.pdf", pdf("Reminder")),
            ("scan 0042.pdf", pdf("Invoice no. INV-000003")),
            ("unknown.pdf", pdf("nothing")),
            ("../evil.pdf", pdf("x")),
            ("letter.docx", b"PK\x03\x04".to_vec()),
        ],
    );
    let batch = engine.open_document_zip(zip_path.clone()).await.unwrap();
    assert_eq!(batch.entries.len(), 6, "{batch:#?}");
    assert_eq!(matched_ref(&batch, 0), refs[0]);
    match &batch.entries[0].status {
        DocumentStatus::Matched { candidate } => {
            assert!(
                candidate.target.case_id.is_some(),
                "invoice 1 was submitted: its case is known"
            );
            assert_eq!(candidate.basis, MatchBasis::FileName);
            assert!(candidate.confidence > 0.9);
        }
        _ => unreachable!(),
    }
    assert_eq!(
        batch.entries[0].suggested_type,
        AgencyDocumentType::OriginalInvoice
    );
    assert_eq!(matched_ref(&batch, 1), refs[1]);
    assert_eq!(
        batch.entries[1].suggested_type,
        AgencyDocumentType::DemandLetter
    );
    assert_eq!(matched_ref(&batch, 2), refs[2], "found in the PDF's text");
    assert!(matches!(batch.entries[3].status, DocumentStatus::Unmatched));
    let refused_code = |i: usize| match &batch.entries[i].status {
        DocumentStatus::Refused { reason } => reason.code.clone(),
        other => panic!("{other:?}"),
    };
    assert_eq!(refused_code(4), "path_traversal");
    assert_eq!(refused_code(5), "type_not_allowed");
    assert_eq!(
        (
            batch.counts.matched,
            batch.counts.unmatched,
            batch.counts.refused
        ),
        (3, 1, 2)
    );

    let approvals: Vec<DocumentApproval> = (0..3)
        .map(|i| DocumentApproval {
            index: i,
            source_ref: matched_ref(&batch, i as usize),
            document_type: None,
        })
        .collect();
    let request = ApproveDocumentsRequest {
        batch_id: batch.id.clone(),
        approvals: approvals.clone(),
    };
    let outcome = engine.approve_documents(request.clone()).await.unwrap();
    assert_eq!((outcome.stored, outcome.already_stored), (3, 0));
    let upload = outcome.upload.expect("the demo agency is connected");
    assert_eq!(
        (upload.uploaded, upload.waiting_for_case),
        (1, 2),
        "{upload:#?}"
    );
    assert!(upload.failed.is_empty(), "{upload:#?}");

    // Invoice 2's case is accepted: its reminder goes up at the end of that run.
    submit(&engine, &refs[1]).await;
    let rerun = engine.upload_pending_documents().await.unwrap();
    assert_eq!(
        (rerun.uploaded, rerun.waiting_for_case),
        (0, 1),
        "only invoice 3 still waits: {rerun:#?}"
    );

    // The app stopped after a send but before recording it: the row is left
    // `uploading`. The next run finds the file in the case's list and records
    // that one instead of uploading it again.
    let store =
        casebridge_store::Store::open(std::path::Path::new(&engine.info().db_path)).unwrap();
    let case_1 = match &batch.entries[0].status {
        DocumentStatus::Matched { candidate } => candidate.target.case_id.clone().unwrap(),
        _ => unreachable!(),
    };
    let uploaded = store.list_documents(None, Some(&case_1)).unwrap();
    assert_eq!(uploaded.len(), 1);
    let first_file_id = uploaded[0].agency_file_id.clone().expect("uploaded");
    let at = Utc.with_ymd_and_hms(2026, 11, 1, 10, 0, 0).unwrap();
    store
        .set_document_state(
            uploaded[0].id,
            casebridge_store::DocumentState::Uploading,
            None,
            None,
            at,
        )
        .unwrap();
    let reconciled = engine.upload_pending_documents().await.unwrap();
    assert_eq!(reconciled.uploaded, 1, "{reconciled:#?}");
    let after = store.list_documents(None, Some(&case_1)).unwrap();
    assert_eq!(
        after[0].agency_file_id.as_deref(),
        Some(first_file_id.as_str()),
        "the file already at the agency was recorded, not sent a second time"
    );

    // Approving the same files again stores and sends nothing twice.
    let again = engine.approve_documents(request).await.unwrap();
    assert_eq!((again.stored, again.already_stored), (0, 3));
    assert_eq!(again.upload.map(|u| u.uploaded), Some(0));
}

#[tokio::test]
async fn approvals_for_unknown_invoices_or_batches_store_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let engine = demo_engine(&dir).await;
    engine
        .cache_invoices(vec![ready_invoice(1)], "open")
        .await
        .unwrap();
    let zip_path = dir.path().join("one.zip");
    write_zip(
        &zip_path,
        &[
            ("INV-000001.pdf", pdf("x")),
            ("INV-000001 copy.pdf", pdf("y")),
        ],
    );
    let batch = engine.open_document_zip(zip_path).await.unwrap();
    assert!(
        batch
            .entries
            .iter()
            .all(|e| matches!(e.status, DocumentStatus::Conflict { .. })),
        "two files for one invoice are shown as a conflict: {batch:#?}"
    );

    let bad = ApproveDocumentsRequest {
        batch_id: batch.id.clone(),
        approvals: vec![
            DocumentApproval {
                index: 0,
                source_ref: ready_invoice(1).source.to_string(),
                document_type: None,
            },
            DocumentApproval {
                index: 1,
                source_ref: "stripe:acct_test/in_nope".into(),
                document_type: None,
            },
        ],
    };
    let err = engine.approve_documents(bad).await.unwrap_err();
    assert_eq!(err.code(), "unknown_invoice");
    let ok = ApproveDocumentsRequest {
        batch_id: batch.id.clone(),
        approvals: vec![DocumentApproval {
            index: 0,
            source_ref: ready_invoice(1).source.to_string(),
            document_type: Some(AgencyDocumentType::CreditorDocuments),
        }],
    };
    let outcome = engine.approve_documents(ok).await.unwrap();
    assert_eq!(
        outcome.stored, 1,
        "the refused request stored nothing before"
    );

    let unknown = ApproveDocumentsRequest {
        batch_id: "../../etc".into(),
        approvals: vec![],
    };
    assert_eq!(
        engine.approve_documents(unknown).await.unwrap_err().code(),
        "document_batch_unknown"
    );
}

#[tokio::test]
async fn a_truncated_zip_is_one_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let engine = demo_engine(&dir).await;
    let zip_path = dir.path().join("cut.zip");
    write_zip(&zip_path, &[("INV-1.pdf", pdf("x"))]);
    let bytes = std::fs::read(&zip_path).unwrap();
    std::fs::write(&zip_path, &bytes[..bytes.len() - 12]).unwrap();
    let err = engine.open_document_zip(zip_path).await.unwrap_err();
    assert_eq!(err.code(), "zip_unreadable");
    assert!(
        err.to_ui().hint.contains("damaged or incomplete"),
        "{:?}",
        err.to_ui()
    );
}

#[tokio::test]
async fn staged_batches_older_than_two_days_are_removed_when_the_next_zip_is_opened() {
    let dir = tempfile::tempdir().unwrap();
    let zip_path = dir.path().join("docs.zip");
    write_zip(&zip_path, &[("INV-1.pdf", pdf("x"))]);
    // Staged files carry today's real modification time.
    let today = Utc::now();
    let engine = demo_engine_at(&dir, today).await;
    let old = engine.open_document_zip(zip_path.clone()).await.unwrap();
    let staging = dir.path().join("data").join("documents").join("staging");
    assert!(staging.join(&old.id).is_dir());
    engine.shutdown().await;

    // One day later the batch stays; three days later it is gone.
    let tomorrow = demo_engine_at(&dir, today + chrono::Duration::days(1)).await;
    let kept = tomorrow.open_document_zip(zip_path.clone()).await.unwrap();
    assert!(
        staging.join(&old.id).is_dir(),
        "a batch may still be approved within two days"
    );
    tomorrow.shutdown().await;
    let later = demo_engine_at(&dir, today + chrono::Duration::days(3)).await;
    later.open_document_zip(zip_path).await.unwrap();
    assert!(!staging.join(&old.id).exists() && !staging.join(&kept.id).exists());
    let request = ApproveDocumentsRequest {
        batch_id: old.id,
        approvals: vec![],
    };
    assert_eq!(
        later.approve_documents(request).await.unwrap_err().code(),
        "document_batch_unknown"
    );
}
