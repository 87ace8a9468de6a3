//! Client-side document checks, done before a byte is sent.
//!
//! The agency's spec allows pdf, xls, xlsx, csv, txt, jpg, jpeg, png, gif;
//! its docs allow pdf, doc, docx, xls, xlsx, jpg, jpeg, png, txt, zip, csv,
//! eml. We only send what both accept. "25 MB" is read as 25,000,000 bytes
//! of file (the smaller reading; a 25 MiB server limit leaves 1.2 MB for
//! the multipart framing).

use crate::error::AgencyError;

/// Extensions both agency sources accept, lower-case, without the dot.
pub const ALLOWED_EXTENSIONS: [&str; 8] =
    ["pdf", "xls", "xlsx", "csv", "txt", "jpg", "jpeg", "png"];

/// Largest document we send, in bytes.
pub const MAX_DOCUMENT_BYTES: u64 = 25_000_000;

/// A document that passed the checks: bare file name, its MIME type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CheckedDocument {
    pub file_name: String,
    pub mime: &'static str,
}

/// Strips any directory part (a name, not a path, goes to the agency),
/// then checks the extension and the size.
pub(crate) fn check(file_name: &str, size: u64) -> Result<CheckedDocument, AgencyError> {
    let bare = file_name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or_default()
        .trim()
        .to_owned();
    let extension = bare
        .rsplit_once('.')
        .filter(|(stem, _)| !stem.is_empty())
        .map(|(_, ext)| ext.to_ascii_lowercase());
    let mime = match extension.as_deref() {
        Some("pdf") => "application/pdf",
        Some("xls") => "application/vnd.ms-excel",
        Some("xlsx") => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        Some("csv") => "text/csv",
        Some("txt") => "text/plain",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("png") => "image/png",
        _ => return Err(AgencyError::UnsupportedFileType { file_name: bare }),
    };
    if size > MAX_DOCUMENT_BYTES {
        return Err(AgencyError::PayloadTooLarge {
            size: Some(size),
            limit: MAX_DOCUMENT_BYTES,
        });
    }
    Ok(CheckedDocument {
        file_name: bare,
        mime,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allowed_extensions_pass_in_any_case_with_their_mime_type() {
        for ext in ALLOWED_EXTENSIONS {
            let upper = format!("Invoice 1001.{}", ext.to_ascii_uppercase());
            assert!(check(&upper, 10).is_ok(), "{upper}");
        }
        assert_eq!(check("a.JPEG", 1).expect("ok").mime, "image/jpeg");
    }

    #[test]
    fn extensions_outside_the_intersection_are_refused_before_sending() {
        // gif: spec only; docx/zip/eml: docs only; no extension; dot-file.
        for name in [
            "logo.gif",
            "contract.docx",
            "bundle.zip",
            "mail.eml",
            "README",
            ".pdf",
            "x.pdf.exe",
        ] {
            let err = check(name, 10).expect_err(name);
            assert!(
                matches!(err, AgencyError::UnsupportedFileType { .. }),
                "{name}: {err:?}"
            );
        }
    }

    #[test]
    fn size_limit_is_inclusive_at_25_000_000_bytes() {
        assert!(check("a.pdf", MAX_DOCUMENT_BYTES).is_ok());
        let err = check("a.pdf", MAX_DOCUMENT_BYTES + 1).expect_err("one byte over");
        assert!(matches!(
            err,
            AgencyError::PayloadTooLarge {
                size: Some(25_000_001),
                limit: MAX_DOCUMENT_BYTES
            }
        ));
    }

    #[test]
    fn directories_are_stripped_from_the_file_name() {
        assert_eq!(
            check("C:\\scans\\inv.pdf", 1).expect("ok").file_name,
            "inv.pdf"
        );
        assert_eq!(
            check("/home/me/inv.pdf", 1).expect("ok").file_name,
            "inv.pdf"
        );
    }
}
