//! Safe extraction of a ZIP of documents.
//!
//! Nothing in a ZIP's headers is trusted: the declared sizes are checked
//! first (so a 2 GB-declared entry is refused without reading a byte), and
//! then the real bytes are counted while inflating, so an entry whose
//! header lies is stopped at the first byte past what it declared, the
//! per-file limit or the ratio limit. Names are never used as paths: a
//! refused name (`..`, absolute, drive letter, symlink) is reported, and
//! the caller stores accepted files under names of its own choosing.
//!
//! Every entry ends up in the returned list, extracted or refused with a
//! specific [`Refusal`]; one bad entry never stops the others. Only a ZIP
//! that cannot be opened at all (truncated, not a ZIP) or one with more
//! entries than allowed is an error of the whole file.

use std::collections::HashSet;
use std::fmt;
use std::io::{self, Read, Seek};

use casebridge_domain::ErrorReport;
use serde::Serialize;
use zip::result::ZipError;
use zip::ZipArchive;

use super::kind::{self, DocumentKind, SNIFF_LEN};
use crate::{ImportError, Location};

/// How much a ZIP may hold. [`ZipLimits::for_agency`] gives the defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZipLimits {
    /// Most entries (files and folders) in the central directory.
    pub max_entries: usize,
    /// Most real bytes extracted from all entries together.
    pub max_total_bytes: u64,
    /// Largest uncompressed : compressed ratio of one entry…
    pub max_ratio: u64,
    /// …judged only above this many bytes: a small file of spaces may
    /// compress 500:1 and is harmless.
    pub ratio_floor_bytes: u64,
    /// Largest single file (the agency's upload limit).
    pub max_file_bytes: u64,
    /// The document kinds that may be extracted.
    pub allowed: Vec<DocumentKind>,
}

impl ZipLimits {
    /// The limits for documents bound for the agency: its per-file size and
    /// allowed extensions (from `casebridge-agency`), and these bounds:
    ///
    /// - 10,000 entries: a ZIP for a few thousand cases with an invoice and
    ///   a reminder each; more is not a document bundle.
    /// - 2,000,000,000 bytes extracted in total: 80 files at the agency's
    ///   25 MB limit, far above real bundles of invoice PDFs (~100 KB
    ///   each), and bounded disk use in the staging folder.
    /// - ratio 100:1 above 1 MiB: PDFs and images hardly compress (1–3:1),
    ///   CSV/text reaches 10–20:1; deflate bombs run near 1,000:1.
    ///
    /// Extensions unknown to [`DocumentKind`] are ignored (not allowed).
    pub fn for_agency(max_file_bytes: u64, allowed_extensions: &[&str]) -> ZipLimits {
        let mut allowed: Vec<DocumentKind> = allowed_extensions
            .iter()
            .filter_map(|ext| DocumentKind::from_extension(ext))
            .collect();
        allowed.dedup();
        ZipLimits {
            max_entries: 10_000,
            max_total_bytes: 2_000_000_000,
            max_ratio: 100,
            ratio_floor_bytes: 1 << 20,
            max_file_bytes,
            allowed,
        }
    }
}

/// Why one entry was not extracted. Each has its own stable code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "reason")]
pub enum Refusal {
    /// A `..` component: it would land outside the folder it is unpacked to.
    PathTraversal,
    /// Starts with `/` or `\`.
    AbsolutePath,
    /// Starts with a Windows drive (`C:`).
    DriveLetter,
    /// A NUL or control character in the name.
    BadName,
    /// A symbolic link: it could point anywhere on the disk.
    Symlink,
    /// Password-protected.
    Encrypted,
    /// Larger than the per-file limit; `declared` when the header said so
    /// (nothing was read), else counted while inflating.
    TooLarge {
        /// Bytes declared, or the count at which reading stopped.
        size: u64,
        /// The limit.
        limit: u64,
        /// Whether the header declared it.
        declared: bool,
    },
    /// Inflates more than `limit` times its compressed size (a zip bomb).
    RatioTooHigh {
        /// Bytes out per byte in, at the point it was stopped.
        ratio: u64,
        /// The limit.
        limit: u64,
    },
    /// Inflates to more than its header declared: the header lies.
    SizeMismatch {
        /// What the header said.
        declared: u64,
    },
    /// Extracting it would pass the limit for the whole ZIP.
    TotalSizeExceeded {
        /// The limit.
        limit: u64,
    },
    /// An extension outside the agency's list.
    TypeNotAllowed {
        /// The extension, lower case; `None` when the name has none.
        extension: Option<String>,
    },
    /// The content is not what the extension says.
    ContentMismatch {
        /// What the extension claims.
        claimed: DocumentKind,
    },
    /// The entry's data is damaged (bad checksum, broken deflate stream,
    /// cut off).
    CorruptEntry {
        /// The ZIP reader's words, for diagnostics.
        detail: String,
    },
    /// A compression method this build does not read (only stored and
    /// deflate are: what every ZIP tool writes by default).
    UnsupportedCompression {
        /// The method's name.
        method: String,
    },
    /// Zero bytes.
    EmptyFile,
    /// Operating-system clutter (`__MACOSX/`, `._x`, `.DS_Store`,
    /// `Thumbs.db`, `desktop.ini`).
    SystemFile,
    /// The same path (ignoring case) appeared earlier in the ZIP.
    DuplicateName,
}

impl Refusal {
    /// Stable snake_case identifier.
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::PathTraversal => "path_traversal",
            Refusal::AbsolutePath => "absolute_path",
            Refusal::DriveLetter => "drive_letter",
            Refusal::BadName => "bad_name",
            Refusal::Symlink => "symlink",
            Refusal::Encrypted => "encrypted",
            Refusal::TooLarge { .. } => "too_large",
            Refusal::RatioTooHigh { .. } => "ratio_too_high",
            Refusal::SizeMismatch { .. } => "size_mismatch",
            Refusal::TotalSizeExceeded { .. } => "total_size_exceeded",
            Refusal::TypeNotAllowed { .. } => "type_not_allowed",
            Refusal::ContentMismatch { .. } => "content_mismatch",
            Refusal::CorruptEntry { .. } => "corrupt_entry",
            Refusal::UnsupportedCompression { .. } => "unsupported_compression",
            Refusal::EmptyFile => "empty_file",
            Refusal::SystemFile => "system_file",
            Refusal::DuplicateName => "duplicate_name",
        }
    }

    /// What the user can do about it.
    pub fn hint(&self) -> &'static str {
        match self {
            Refusal::PathTraversal | Refusal::AbsolutePath | Refusal::DriveLetter | Refusal::BadName => {
                "Create the ZIP again from a folder of documents (right-click → Compress)."
            }
            Refusal::Symlink => "Put the file itself in the ZIP, not a link to it.",
            Refusal::Encrypted => "Create the ZIP again without a password.",
            Refusal::TooLarge { .. } => {
                "The agency takes files up to 25 MB: compress or split the document."
            }
            Refusal::RatioTooHigh { .. } | Refusal::SizeMismatch { .. } => {
                "This entry is not a normal document; if you trust it, unpack it and add the file on its own."
            }
            Refusal::TotalSizeExceeded { .. } => "Split the documents into several smaller ZIPs.",
            Refusal::TypeNotAllowed { .. } => {
                "The agency accepts PDF, XLS, XLSX, CSV, TXT, JPG and PNG: save it as one of those (PDF is best)."
            }
            Refusal::ContentMismatch { .. } => {
                "The file was renamed: give it its real extension, or save it again as a PDF."
            }
            Refusal::CorruptEntry { .. } => "Create the ZIP again; this file in it is damaged.",
            Refusal::UnsupportedCompression { .. } => {
                "Create the ZIP again with your system's standard Compress/Send to ZIP."
            }
            Refusal::EmptyFile => "The file has no content; add the real document.",
            Refusal::SystemFile => "Nothing to do: this is a file the operating system adds.",
            Refusal::DuplicateName => "Rename one of the two files and create the ZIP again.",
        }
    }

    /// The `{ code, message, hint }` the UI shows.
    pub fn report(&self) -> ErrorReport {
        ErrorReport {
            code: self.code(),
            message: self.to_string(),
            hint: self.hint().to_owned(),
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::PathTraversal => f.write_str("the path climbs out of its folder (\"..\")"),
            Refusal::AbsolutePath => f.write_str("the path is absolute"),
            Refusal::DriveLetter => f.write_str("the path names a drive letter"),
            Refusal::BadName => f.write_str("the name contains control characters"),
            Refusal::Symlink => f.write_str("it is a symbolic link, not a file"),
            Refusal::Encrypted => f.write_str("it is password-protected"),
            Refusal::TooLarge {
                size,
                limit,
                declared: true,
            } => {
                write!(
                    f,
                    "it declares {size} bytes, over the {limit}-byte limit per file"
                )
            }
            Refusal::TooLarge { limit, .. } => {
                write!(f, "it is larger than the {limit}-byte limit per file")
            }
            Refusal::RatioTooHigh { ratio, limit } => write!(
                f,
                "it inflates {ratio} times its compressed size (limit {limit}): a zip bomb"
            ),
            Refusal::SizeMismatch { declared } => {
                write!(
                    f,
                    "it holds more than the {declared} bytes its header declares"
                )
            }
            Refusal::TotalSizeExceeded { limit } => {
                write!(f, "the ZIP's files together pass the {limit}-byte limit")
            }
            Refusal::TypeNotAllowed {
                extension: Some(ext),
            } => {
                write!(f, "\".{ext}\" files are not accepted by the agency")
            }
            Refusal::TypeNotAllowed { extension: None } => f.write_str("the file has no extension"),
            Refusal::ContentMismatch { claimed } => {
                write!(
                    f,
                    "its name says {} but its content is not",
                    claimed.describe()
                )
            }
            Refusal::CorruptEntry { detail } => write!(f, "it is damaged ({detail})"),
            Refusal::UnsupportedCompression { method } => {
                write!(f, "it is compressed with {method}, which is not supported")
            }
            Refusal::EmptyFile => f.write_str("it is empty"),
            Refusal::SystemFile => f.write_str("it is an operating-system file, not a document"),
            Refusal::DuplicateName => f.write_str("another file in the ZIP has the same name"),
        }
    }
}

/// What happened to one entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "outcome")]
pub enum EntryOutcome {
    /// Extracted and handed to the caller.
    Extracted {
        /// Its kind (extension and content agree).
        kind: DocumentKind,
        /// Real bytes.
        size: u64,
    },
    /// Not extracted.
    Refused {
        /// Why.
        refusal: Refusal,
        /// The kind its extension names, when it names an allowed one.
        kind: Option<DocumentKind>,
    },
}

/// One file entry of the ZIP (folders are not listed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ZipEntry {
    /// Position in the ZIP's central directory.
    pub index: usize,
    /// The path as the ZIP spells it: for display and matching only, never
    /// used as a path on disk.
    pub name: String,
    /// What the header declares.
    pub declared_size: u64,
    /// Extracted or refused.
    pub outcome: EntryOutcome,
}

/// An accepted file, lent to the caller to store while extraction goes on.
#[derive(Debug)]
pub struct ExtractedFile<'a> {
    /// As [`ZipEntry::index`].
    pub index: usize,
    /// As [`ZipEntry::name`].
    pub name: &'a str,
    /// Its checked kind.
    pub kind: DocumentKind,
    /// All of its bytes (at most the per-file limit).
    pub bytes: &'a [u8],
}

/// Checks a ZIP entry's name as a relative path inside the ZIP.
///
/// # Errors
/// The [`Refusal`] for a traversal, absolute path, drive letter or control
/// characters.
pub fn check_entry_name(name: &str) -> Result<(), Refusal> {
    if name.chars().any(char::is_control) {
        return Err(Refusal::BadName);
    }
    if name.starts_with(['/', '\\']) {
        return Err(Refusal::AbsolutePath);
    }
    let mut chars = name.chars();
    if let (Some(letter), Some(':')) = (chars.next(), chars.next()) {
        if letter.is_ascii_alphabetic() {
            return Err(Refusal::DriveLetter);
        }
    }
    // Any `..`, even one that stays inside (`a/../b`): no real bundle needs
    // it, and a simple rule cannot be argued with.
    if name.split(['/', '\\']).any(|part| part.trim_end() == "..") {
        return Err(Refusal::PathTraversal);
    }
    Ok(())
}

fn is_system_file(name: &str) -> bool {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    name.split(['/', '\\']).any(|part| part == "__MACOSX")
        || base.starts_with("._")
        || [".ds_store", "thumbs.db", "desktop.ini"].contains(&base.to_ascii_lowercase().as_str())
}

/// Opens the ZIP, checks every entry and hands each accepted file to
/// `keep` (e.g. to write it to a staging folder), returning every file
/// entry with its outcome in ZIP order.
///
/// # Errors
/// [`ImportError::ZipUnreadable`] for a file that is not a readable ZIP
/// (truncated, damaged directory), [`ImportError::ZipTooManyEntries`], and
/// [`ImportError::Io`] when `keep` fails (e.g. the disk is full).
pub fn extract<R, F>(
    reader: R,
    file_name: &str,
    limits: &ZipLimits,
    mut keep: F,
) -> Result<Vec<ZipEntry>, ImportError>
where
    R: Read + Seek,
    F: FnMut(&ExtractedFile<'_>) -> io::Result<()>,
{
    let location = Location::file(file_name);
    let mut archive = ZipArchive::new(reader).map_err(|source| ImportError::ZipUnreadable {
        location: location.clone(),
        source,
    })?;
    if archive.len() > limits.max_entries {
        return Err(ImportError::ZipTooManyEntries {
            location,
            count: archive.len(),
            limit: limits.max_entries,
        });
    }
    let mut entries = Vec::new();
    let mut seen = HashSet::new();
    let mut total: u64 = 0;
    let mut buffer = Vec::new();
    for index in 0..archive.len() {
        let header = match read_header(&mut archive, index) {
            Ok(Some(header)) => header,
            Ok(None) => continue,
            Err(refusal) => {
                entries.push(ZipEntry {
                    index,
                    name: format!("entry {}", index + 1),
                    declared_size: 0,
                    outcome: EntryOutcome::Refused {
                        refusal,
                        kind: None,
                    },
                });
                continue;
            }
        };
        let claimed = DocumentKind::from_file_name(&header.name);
        let outcome = match check_header(&header, claimed, limits, total, &mut seen) {
            Err(refusal) => EntryOutcome::Refused {
                refusal,
                kind: claimed,
            },
            Ok(kind) => match inflate(&mut archive, index, &header, limits, total, &mut buffer) {
                Err(refusal) => EntryOutcome::Refused {
                    refusal,
                    kind: Some(kind),
                },
                Ok(()) if buffer.is_empty() => EntryOutcome::Refused {
                    refusal: Refusal::EmptyFile,
                    kind: Some(kind),
                },
                Ok(()) if !kind.content_matches(&buffer[..buffer.len().min(SNIFF_LEN)]) => {
                    EntryOutcome::Refused {
                        refusal: Refusal::ContentMismatch { claimed: kind },
                        kind: Some(kind),
                    }
                }
                Ok(()) => {
                    let size = buffer.len() as u64;
                    total += size;
                    keep(&ExtractedFile {
                        index,
                        name: &header.name,
                        kind,
                        bytes: &buffer,
                    })
                    .map_err(|source| ImportError::Io {
                        location: location.clone(),
                        source,
                    })?;
                    EntryOutcome::Extracted { kind, size }
                }
            },
        };
        entries.push(ZipEntry {
            index,
            name: header.name,
            declared_size: header.declared_size,
            outcome,
        });
    }
    Ok(entries)
}

/// What the central directory says about an entry.
struct Header {
    name: String,
    declared_size: u64,
    compressed_size: u64,
    encrypted: bool,
    symlink: bool,
    compression: String,
}

/// `Ok(None)` for folders, which are not listed.
fn read_header<R: Read + Seek>(
    archive: &mut ZipArchive<R>,
    index: usize,
) -> Result<Option<Header>, Refusal> {
    let file = archive.by_index_raw(index).map_err(corrupt)?;
    let name = match file.name() {
        Ok(name) => name.into_owned(),
        Err(_) => String::from_utf8_lossy(file.name_raw()).into_owned(),
    };
    if file.is_dir() && !file.is_symlink() {
        return Ok(None);
    }
    Ok(Some(Header {
        name,
        declared_size: file.size(),
        compressed_size: file.compressed_size(),
        encrypted: file.encrypted(),
        symlink: file.is_symlink(),
        compression: file.compression().to_string(),
    }))
}

/// Every check the central directory allows, before reading any data.
fn check_header(
    header: &Header,
    claimed: Option<DocumentKind>,
    limits: &ZipLimits,
    total: u64,
    seen: &mut HashSet<String>,
) -> Result<DocumentKind, Refusal> {
    check_entry_name(&header.name)?;
    if header.symlink {
        return Err(Refusal::Symlink);
    }
    if is_system_file(&header.name) {
        return Err(Refusal::SystemFile);
    }
    if !seen.insert(header.name.to_lowercase()) {
        return Err(Refusal::DuplicateName);
    }
    let kind = claimed
        .filter(|k| limits.allowed.contains(k))
        .ok_or_else(|| Refusal::TypeNotAllowed {
            extension: kind::extension(&header.name).map(str::to_ascii_lowercase),
        })?;
    if header.encrypted {
        return Err(Refusal::Encrypted);
    }
    if header.declared_size > limits.max_file_bytes {
        return Err(Refusal::TooLarge {
            size: header.declared_size,
            limit: limits.max_file_bytes,
            declared: true,
        });
    }
    if let Some(ratio) = ratio_over(header.declared_size, header.compressed_size, limits) {
        return Err(Refusal::RatioTooHigh {
            ratio,
            limit: limits.max_ratio,
        });
    }
    if total.saturating_add(header.declared_size) > limits.max_total_bytes {
        return Err(Refusal::TotalSizeExceeded {
            limit: limits.max_total_bytes,
        });
    }
    Ok(kind)
}

/// The ratio when `out` bytes from `compressed` is over the limit.
fn ratio_over(out: u64, compressed: u64, limits: &ZipLimits) -> Option<u64> {
    if out <= limits.ratio_floor_bytes {
        return None;
    }
    let ratio = out / compressed.max(1);
    (ratio > limits.max_ratio).then_some(ratio)
}

/// Reads the entry into `buffer`, counting real bytes against every limit.
fn inflate<R: Read + Seek>(
    archive: &mut ZipArchive<R>,
    index: usize,
    header: &Header,
    limits: &ZipLimits,
    total: u64,
    buffer: &mut Vec<u8>,
) -> Result<(), Refusal> {
    buffer.clear();
    let mut file = archive.by_index(index).map_err(|e| match e {
        ZipError::UnsupportedArchive(_) => Refusal::UnsupportedCompression {
            method: header.compression.clone(),
        },
        other => corrupt(other),
    })?;
    // Never read more than the smallest bound plus one byte: that byte
    // proves the bound was passed.
    let cap = header.declared_size.min(limits.max_file_bytes);
    let mut chunk = [0u8; 64 * 1024];
    loop {
        let n = match file.read(&mut chunk) {
            Ok(0) => return Ok(()),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => {
                return Err(Refusal::CorruptEntry {
                    detail: e.to_string(),
                })
            }
        };
        buffer.extend_from_slice(&chunk[..n]);
        let real = buffer.len() as u64;
        if real > limits.max_file_bytes {
            return Err(Refusal::TooLarge {
                size: real,
                limit: limits.max_file_bytes,
                declared: false,
            });
        }
        if let Some(ratio) = ratio_over(real, header.compressed_size, limits) {
            return Err(Refusal::RatioTooHigh {
                ratio,
                limit: limits.max_ratio,
            });
        }
        if real > cap {
            return Err(Refusal::SizeMismatch {
                declared: header.declared_size,
            });
        }
        if total.saturating_add(real) > limits.max_total_bytes {
            return Err(Refusal::TotalSizeExceeded {
                limit: limits.max_total_bytes,
            });
        }
    }
}

fn corrupt(e: ZipError) -> Refusal {
    Refusal::CorruptEntry {
        detail: e.to_string(),
    }
}
