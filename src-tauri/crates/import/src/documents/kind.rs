//! What a document is: its extension says what it claims to be, its first
//! bytes must agree. A `.pdf` that starts like a ZIP, or a `.txt` full of
//! NUL bytes, is refused rather than uploaded under a false type.

use serde::Serialize;

/// The document types the agency accepts (see `casebridge-agency`'s
/// `ALLOWED_EXTENSIONS`; the engine passes that list in).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    /// `%PDF-` near the start.
    Pdf,
    /// Legacy Excel: an OLE2 compound file.
    Xls,
    /// Office Open XML: a ZIP container.
    Xlsx,
    /// Delimited text.
    Csv,
    /// Plain text.
    Txt,
    /// JPEG image (`.jpg` or `.jpeg`).
    Jpeg,
    /// PNG image.
    Png,
}

/// How many leading bytes [`DocumentKind::content_matches`] looks at.
pub const SNIFF_LEN: usize = 8192;

const OLE2_MAGIC: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
const PNG_MAGIC: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
const ZIP_MAGIC: [u8; 4] = [b'P', b'K', 0x03, 0x04];
const JPEG_MAGIC: [u8; 3] = [0xFF, 0xD8, 0xFF];
/// Readers accept `%PDF-` anywhere in the first KiB (some generators put
/// junk before it); so do we.
const PDF_HEADER_WINDOW: usize = 1024;

impl DocumentKind {
    /// The kind an extension (without the dot, any case) names, if any.
    pub fn from_extension(extension: &str) -> Option<DocumentKind> {
        Some(match extension.to_ascii_lowercase().as_str() {
            "pdf" => DocumentKind::Pdf,
            "xls" => DocumentKind::Xls,
            "xlsx" => DocumentKind::Xlsx,
            "csv" => DocumentKind::Csv,
            "txt" => DocumentKind::Txt,
            "jpg" | "jpeg" => DocumentKind::Jpeg,
            "png" => DocumentKind::Png,
            _ => return None,
        })
    }

    /// The kind a file name's extension names. `None` for no extension, a
    /// dot-file (`.pdf`) or an extension outside the list.
    pub fn from_file_name(name: &str) -> Option<DocumentKind> {
        extension(name).and_then(DocumentKind::from_extension)
    }

    /// Whether the first bytes of the file (at least [`SNIFF_LEN`] of them,
    /// or the whole file) look like this kind.
    pub fn content_matches(self, head: &[u8]) -> bool {
        match self {
            DocumentKind::Pdf => {
                let window = &head[..head.len().min(PDF_HEADER_WINDOW)];
                window.windows(5).any(|w| w == b"%PDF-")
            }
            DocumentKind::Xls => head.starts_with(&OLE2_MAGIC),
            DocumentKind::Xlsx => head.starts_with(&ZIP_MAGIC),
            DocumentKind::Jpeg => head.starts_with(&JPEG_MAGIC),
            DocumentKind::Png => head.starts_with(&PNG_MAGIC),
            DocumentKind::Csv | DocumentKind::Txt => looks_like_text(head),
        }
    }

    /// What it is in words, for refusal messages.
    pub fn describe(self) -> &'static str {
        match self {
            DocumentKind::Pdf => "a PDF",
            DocumentKind::Xls => "an XLS workbook",
            DocumentKind::Xlsx => "an XLSX workbook",
            DocumentKind::Csv => "a CSV file",
            DocumentKind::Txt => "a text file",
            DocumentKind::Jpeg => "a JPEG image",
            DocumentKind::Png => "a PNG image",
        }
    }
}

/// The lower-case extension of the last path component, if it has a stem.
pub(crate) fn extension(name: &str) -> Option<&str> {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    base.rsplit_once('.')
        .filter(|(stem, ext)| !stem.is_empty() && !ext.is_empty())
        .map(|(_, ext)| ext)
}

/// Text in any encoding the import reader knows: UTF-16 has a BOM (or
/// NULs in every other byte, which we do not guess at for documents), the
/// 8-bit encodings never use NUL or most C0 controls.
fn looks_like_text(head: &[u8]) -> bool {
    if head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]) {
        return true;
    }
    !head
        .iter()
        .any(|&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0C | 0x1A))
}

/// What the document probably is, from its name: decides the agency
/// document type it is uploaded as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentRole {
    /// The invoice itself (a PDF whose name says nothing else).
    Invoice,
    /// A reminder or demand letter the creditor already sent.
    Reminder,
    /// A contract, order or agreement; delivery or other creditor evidence.
    Evidence,
    /// Anything else (spreadsheets, images, text without a telling name).
    Other,
}

const REMINDER_WORDS: [&str; 9] = [
    "reminder",
    "rykker",
    "mahnung",
    "paminnelse",
    "purring",
    "aanmaning",
    "relance",
    "recordatorio",
    "dunning",
];
const EVIDENCE_WORDS: [&str; 12] = [
    "contract",
    "kontrakt",
    "vertrag",
    "agreement",
    "aftale",
    "order",
    "ordre",
    "bestilling",
    "delivery",
    "levering",
    "lieferschein",
    "timesheet",
];

impl DocumentRole {
    /// Guesses the role from the path and kind. Only words the user's own
    /// naming makes plain are used; a bare `.pdf` is taken as the invoice.
    pub fn suggest(path: &str, kind: DocumentKind) -> DocumentRole {
        let lower = fold(path);
        if REMINDER_WORDS.iter().any(|w| lower.contains(w)) {
            DocumentRole::Reminder
        } else if EVIDENCE_WORDS.iter().any(|w| lower.contains(w)) {
            DocumentRole::Evidence
        } else if kind == DocumentKind::Pdf {
            DocumentRole::Invoice
        } else {
            DocumentRole::Other
        }
    }
}

/// Lower case with the Nordic/German letters the word lists spell plainly.
fn fold(s: &str) -> String {
    s.chars()
        .flat_map(|c| c.to_lowercase())
        .map(|c| match c {
            'å' | 'ä' | 'à' | 'á' => 'a',
            'ø' | 'ö' | 'ó' => 'o',
            'é' | 'è' => 'e',
            'ü' => 'u',
            other => other,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extension_names_a_kind_in_any_case_and_never_for_dot_files() {
        assert_eq!(
            DocumentKind::from_file_name("a/INV-1.PDF"),
            Some(DocumentKind::Pdf)
        );
        assert_eq!(
            DocumentKind::from_file_name("scan.JPeG"),
            Some(DocumentKind::Jpeg)
        );
        assert_eq!(DocumentKind::from_file_name(".pdf"), None);
        assert_eq!(DocumentKind::from_file_name("README"), None);
        assert_eq!(DocumentKind::from_file_name("x.pdf.exe"), None);
        assert_eq!(DocumentKind::from_file_name("logo.gif"), None);
    }

    #[test]
    fn magic_bytes_must_agree_with_the_extension() {
        assert!(DocumentKind::Pdf.content_matches(b"%PDF-1.7\n"));
        assert!(DocumentKind::Pdf.content_matches(b"\xEF\xBB\xBFjunk%PDF-1.4"));
        assert!(!DocumentKind::Pdf.content_matches(b"PK\x03\x04"));
        assert!(DocumentKind::Xlsx.content_matches(b"PK\x03\x04rest"));
        assert!(!DocumentKind::Xlsx.content_matches(&OLE2_MAGIC));
        assert!(DocumentKind::Xls.content_matches(&OLE2_MAGIC));
        assert!(DocumentKind::Png.content_matches(&PNG_MAGIC));
        assert!(DocumentKind::Jpeg.content_matches(&[0xFF, 0xD8, 0xFF, 0xE0]));
        assert!(!DocumentKind::Jpeg.content_matches(&PNG_MAGIC));
        assert!(DocumentKind::Csv.content_matches("Fakturanr;Beløb\r\n1;2,50\n".as_bytes()));
        assert!(!DocumentKind::Txt.content_matches(b"MZ\x90\x00\x03\x00"));
        assert!(DocumentKind::Txt.content_matches(b"\xFF\xFEa\x00b\x00"));
    }

    #[test]
    fn role_comes_from_plain_words_in_the_name() {
        let pdf = DocumentKind::Pdf;
        assert_eq!(
            DocumentRole::suggest("INV-1001.pdf", pdf),
            DocumentRole::Invoice
        );
        assert_eq!(
            DocumentRole::suggest("1001/Rykker 2.pdf", pdf),
            DocumentRole::Reminder
        );
        assert_eq!(
            DocumentRole::suggest("Påminnelse 1001.pdf", pdf),
            DocumentRole::Reminder
        );
        assert_eq!(
            DocumentRole::suggest("1001 Kontrakt.pdf", pdf),
            DocumentRole::Evidence
        );
        assert_eq!(
            DocumentRole::suggest("1001.png", DocumentKind::Png),
            DocumentRole::Other
        );
    }
}
