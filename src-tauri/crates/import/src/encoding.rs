//! Which text encoding a file is in, and a streaming decoder to UTF-8.
//!
//! Spreadsheet exports arrive as UTF-8 (with or without a BOM), UTF-16
//! (Excel's "Unicode text", usually with a BOM, sometimes without), or a
//! legacy Windows / ISO-8859 code page. Detection looks at a prefix only
//! ([`SNIFF_PREFIX_LEN`]), so it costs the same for a 1 KB and a 1 GB file;
//! decoding then streams through [`DecodingReader`] in fixed-size buffers.
//! The user can always override what was detected.

use std::io::{self, Read};

use encoding_rs::{CoderResult, Decoder, Encoding, UTF_16BE, UTF_16LE, UTF_8};
use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};

use crate::error::{BinaryKind, ImportError, Location};

/// How many leading bytes detection looks at: enough for `chardetng` to see
/// a few hundred rows of a typical export.
pub const SNIFF_PREFIX_LEN: usize = 64 * 1024;

/// How an encoding was arrived at, shown next to it in the UI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DetectionMethod {
    /// A byte-order mark said so: certain.
    Bom,
    /// UTF-16 without a BOM, recognised by its pattern of zero bytes.
    ZeroBytePattern,
    /// Every byte of the prefix is valid UTF-8.
    ValidUtf8,
    /// Not UTF-8; a legacy code page guessed from byte statistics.
    Statistical,
    /// The user picked it.
    UserChoice,
}

/// An encoding with how sure we are of it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DetectedEncoding {
    encoding: &'static Encoding,
    method: DetectionMethod,
    confidence: f32,
}

impl DetectedEncoding {
    /// The encoding the user picked by its label ("latin1", "windows-1250",
    /// "utf-16le"…); labels are WHATWG's, case-insensitive.
    ///
    /// # Errors
    /// [`ImportError::UnknownEncoding`] for a label no decoder has.
    pub fn user_choice(label: &str) -> Result<DetectedEncoding, ImportError> {
        let encoding = Encoding::for_label(label.trim().as_bytes()).ok_or_else(|| {
            ImportError::UnknownEncoding {
                label: label.to_owned(),
            }
        })?;
        Ok(DetectedEncoding {
            encoding,
            method: DetectionMethod::UserChoice,
            confidence: 1.0,
        })
    }

    /// The decoder.
    pub fn encoding(&self) -> &'static Encoding {
        self.encoding
    }

    /// Its canonical name ("UTF-8", "windows-1252", "UTF-16LE"…).
    pub fn name(&self) -> &'static str {
        self.encoding.name()
    }

    /// How it was found.
    pub fn method(&self) -> DetectionMethod {
        self.method
    }

    /// 0.0–1.0; below 0.8 the UI should ask the user to check the preview.
    pub fn confidence(&self) -> f32 {
        self.confidence
    }
}

impl Serialize for DetectedEncoding {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("DetectedEncoding", 3)?;
        s.serialize_field("name", self.name())?;
        s.serialize_field("method", &self.method)?;
        s.serialize_field("confidence", &self.confidence)?;
        s.end()
    }
}

/// Detects the encoding of a file from its first bytes (pass up to
/// [`SNIFF_PREFIX_LEN`]; `is_whole_file` when the prefix is all there is,
/// so a truncated last character is not held against UTF-8).
///
/// # Errors
/// - [`ImportError::Empty`] for zero bytes.
/// - [`ImportError::NotText`] for workbooks, PDFs, images and other binary
///   data (typically renamed to `.csv`).
pub fn detect(
    prefix: &[u8],
    is_whole_file: bool,
    location: &Location,
) -> Result<DetectedEncoding, ImportError> {
    if prefix.is_empty() {
        return Err(ImportError::Empty {
            location: location.clone(),
        });
    }
    let found = |encoding, method, confidence| DetectedEncoding {
        encoding,
        method,
        confidence,
    };
    if let Some((encoding, _)) = Encoding::for_bom(prefix) {
        return Ok(found(encoding, DetectionMethod::Bom, 1.0));
    }
    if let Some(kind) = binary_signature(prefix) {
        return Err(ImportError::NotText {
            location: location.clone(),
            kind,
        });
    }
    if let Some(encoding) = utf16_without_bom(prefix) {
        return Ok(found(encoding, DetectionMethod::ZeroBytePattern, 0.9));
    }
    if looks_binary(prefix) {
        return Err(ImportError::NotText {
            location: location.clone(),
            kind: BinaryKind::Unknown,
        });
    }
    if is_utf8(prefix, is_whole_file) {
        return Ok(found(UTF_8, DetectionMethod::ValidUtf8, 1.0));
    }
    let mut detector = chardetng::EncodingDetector::new();
    detector.feed(prefix, is_whole_file);
    // UTF-8 is excluded: we already know the bytes are not valid UTF-8.
    let (encoding, confident) = detector.guess_assess(None, false);
    let confidence = if confident { 0.85 } else { 0.5 };
    Ok(found(encoding, DetectionMethod::Statistical, confidence))
}

fn binary_signature(prefix: &[u8]) -> Option<BinaryKind> {
    const SIGNATURES: &[(&[u8], BinaryKind)] = &[
        (b"PK\x03\x04", BinaryKind::ZipContainer),
        (b"PK\x05\x06", BinaryKind::ZipContainer),
        (b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", BinaryKind::OleCompound),
        (b"%PDF-", BinaryKind::Pdf),
        (b"\x89PNG\r\n\x1A\n", BinaryKind::Image),
        (b"\xFF\xD8\xFF", BinaryKind::Image),
        (b"GIF8", BinaryKind::Image),
    ];
    SIGNATURES
        .iter()
        .find(|(magic, _)| prefix.starts_with(magic))
        .map(|&(_, kind)| kind)
}

/// UTF-16 text that is mostly Latin has a zero in every other byte: at odd
/// offsets for little-endian, even offsets for big-endian. Binary files
/// have zeros too, but not in one parity only.
fn utf16_without_bom(prefix: &[u8]) -> Option<&'static Encoding> {
    let sample = &prefix[..prefix.len().min(4096) & !1];
    let pairs = sample.len() / 2;
    if pairs < 4 {
        return None;
    }
    let (mut even_zeros, mut odd_zeros) = (0usize, 0usize);
    for pair in sample.chunks_exact(2) {
        even_zeros += usize::from(pair[0] == 0);
        odd_zeros += usize::from(pair[1] == 0);
    }
    let mostly = |zeros: usize| zeros * 10 >= pairs * 6;
    let hardly = |zeros: usize| zeros * 50 <= pairs;
    if mostly(odd_zeros) && hardly(even_zeros) {
        Some(UTF_16LE)
    } else if mostly(even_zeros) && hardly(odd_zeros) {
        Some(UTF_16BE)
    } else {
        None
    }
}

/// Control bytes that no text export contains (tab, CR, LF and form feed
/// are fine; a NUL outside UTF-16 never is).
fn looks_binary(prefix: &[u8]) -> bool {
    let controls = prefix
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0C | 0x1A))
        .count();
    prefix.contains(&0) || controls * 100 > prefix.len()
}

fn is_utf8(prefix: &[u8], is_whole_file: bool) -> bool {
    match std::str::from_utf8(prefix) {
        Ok(_) => true,
        // The prefix may end in the middle of a character.
        Err(e) => !is_whole_file && e.error_len().is_none(),
    }
}

/// Decodes a prefix for sniffing and previews: BOM removed, malformed bytes
/// replaced, a character cut at the end of the prefix left out.
pub fn decode_prefix(prefix: &[u8], encoding: &DetectedEncoding) -> String {
    let mut decoder = encoding.encoding.new_decoder_with_bom_removal();
    let capacity = decoder
        .max_utf8_buffer_length(prefix.len())
        .unwrap_or(prefix.len().saturating_mul(3));
    let mut text = String::with_capacity(capacity);
    let _ = decoder.decode_to_string(prefix, &mut text, false);
    text
}

const INPUT_CHUNK: usize = 16 * 1024;
// UTF-16 → UTF-8 can grow 1.5×, single-byte code pages up to 3×.
const OUTPUT_CHUNK: usize = 3 * INPUT_CHUNK;

/// A [`Read`] that yields the UTF-8 text of a byte stream in another
/// encoding, in fixed-size buffers (memory does not grow with the file).
///
/// A BOM matching the encoding is removed; malformed bytes become U+FFFD
/// and [`DecodingReader::had_errors`] turns true so the UI can warn.
pub struct DecodingReader<R> {
    inner: R,
    decoder: Decoder,
    input: Box<[u8]>,
    input_start: usize,
    input_end: usize,
    input_done: bool,
    output: Box<[u8]>,
    output_start: usize,
    output_end: usize,
    finished: bool,
    had_errors: bool,
}

impl<R: Read> DecodingReader<R> {
    /// Decodes `inner` as `encoding`.
    pub fn new(inner: R, encoding: &DetectedEncoding) -> DecodingReader<R> {
        DecodingReader {
            inner,
            decoder: encoding.encoding.new_decoder_with_bom_removal(),
            input: vec![0; INPUT_CHUNK].into_boxed_slice(),
            input_start: 0,
            input_end: 0,
            input_done: false,
            output: vec![0; OUTPUT_CHUNK].into_boxed_slice(),
            output_start: 0,
            output_end: 0,
            finished: false,
            had_errors: false,
        }
    }

    /// Whether any malformed byte sequence was replaced so far.
    pub fn had_errors(&self) -> bool {
        self.had_errors
    }

    fn refill_input(&mut self) -> io::Result<()> {
        loop {
            match self.inner.read(&mut self.input) {
                Ok(n) => {
                    self.input_start = 0;
                    self.input_end = n;
                    self.input_done = n == 0;
                    return Ok(());
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }
}

impl<R: Read> Read for DecodingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            if self.output_start < self.output_end {
                let n = buf.len().min(self.output_end - self.output_start);
                buf[..n].copy_from_slice(&self.output[self.output_start..self.output_start + n]);
                self.output_start += n;
                return Ok(n);
            }
            if self.finished || buf.is_empty() {
                return Ok(0);
            }
            if self.input_start == self.input_end && !self.input_done {
                self.refill_input()?;
            }
            let (result, read, written, had_errors) = self.decoder.decode_to_utf8(
                &self.input[self.input_start..self.input_end],
                &mut self.output,
                self.input_done,
            );
            self.input_start += read;
            self.output_start = 0;
            self.output_end = written;
            self.had_errors |= had_errors;
            if self.input_done && result == CoderResult::InputEmpty {
                self.finished = true;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn here() -> Location {
        Location::file("invoices.csv")
    }

    fn encode(text: &str, encoding: &'static Encoding) -> Vec<u8> {
        let (bytes, _, unmappable) = encoding.encode(text);
        assert!(!unmappable, "test text must fit {}", encoding.name());
        bytes.into_owned()
    }

    fn utf16(text: &str, little_endian: bool) -> Vec<u8> {
        text.encode_utf16()
            .flat_map(|unit| {
                if little_endian {
                    unit.to_le_bytes()
                } else {
                    unit.to_be_bytes()
                }
            })
            .collect()
    }

    /// Reads through a `DecodingReader` with a tiny caller buffer so chunk
    /// boundaries fall inside multi-byte characters.
    fn decode_all(bytes: &[u8], encoding: &DetectedEncoding) -> String {
        let mut reader = DecodingReader::new(bytes, encoding);
        let mut out = Vec::new();
        let mut buf = [0u8; 3];
        loop {
            let n = reader.read(&mut buf).unwrap();
            if n == 0 {
                break;
            }
            out.extend_from_slice(&buf[..n]);
        }
        String::from_utf8(out).unwrap()
    }

    const DANISH: &str = "Kunde;Beløb;By\nSøren Ærø ApS;1.234,56;Århus\nBjørn Østergård;99,00;Næstved\nÅse Blåbær;12,00;Køge\n";
    const CZECH: &str = "Odběratel;Částka;Město\nPříliš žluťoučký kůň s.r.o.;1 234,56;Plzeň\nŠtěpán Řehoř;99,00;České Budějovice\nJiří Čermák;12,00;Ústí nad Labem\nBožena Němcová;5,00;Hradec Králové\n";

    #[test]
    fn utf8_with_bom_is_certain_and_the_bom_is_not_part_of_the_text() {
        let mut bytes = b"\xEF\xBB\xBF".to_vec();
        bytes.extend_from_slice(DANISH.as_bytes());
        let found = detect(&bytes, true, &here()).unwrap();
        assert_eq!(
            (found.name(), found.method()),
            ("UTF-8", DetectionMethod::Bom)
        );
        assert_eq!(found.confidence(), 1.0);
        assert_eq!(decode_all(&bytes, &found), DANISH);
        assert_eq!(decode_prefix(&bytes, &found), DANISH);
    }

    #[test]
    fn utf8_without_bom_is_recognised_by_validity() {
        let found = detect(DANISH.as_bytes(), true, &here()).unwrap();
        assert_eq!(found.name(), "UTF-8");
        assert_eq!(found.method(), DetectionMethod::ValidUtf8);
    }

    #[test]
    fn a_prefix_cut_inside_a_utf8_character_is_still_utf8_unless_it_is_the_whole_file() {
        let bytes = DANISH.as_bytes();
        let cut = DANISH.find('ø').unwrap() + 1; // inside the two-byte 'ø'
        let found = detect(&bytes[..cut], false, &here()).unwrap();
        assert_eq!(found.method(), DetectionMethod::ValidUtf8);
        let whole = detect(&bytes[..cut], true, &here()).unwrap();
        assert_eq!(whole.method(), DetectionMethod::Statistical);
    }

    #[test]
    fn utf16_with_bom_both_byte_orders() {
        for (little, bom, name) in [
            (true, b"\xFF\xFE", "UTF-16LE"),
            (false, b"\xFE\xFF", "UTF-16BE"),
        ] {
            let mut bytes = bom.to_vec();
            bytes.extend(utf16(DANISH, little));
            let found = detect(&bytes, true, &here()).unwrap();
            assert_eq!(found.name(), name);
            assert_eq!(found.method(), DetectionMethod::Bom);
            assert_eq!(decode_all(&bytes, &found), DANISH);
        }
    }

    #[test]
    fn utf16_without_bom_is_recognised_by_its_zero_bytes() {
        for (little, name) in [(true, "UTF-16LE"), (false, "UTF-16BE")] {
            let bytes = utf16(DANISH, little);
            let found = detect(&bytes, true, &here()).unwrap();
            assert_eq!(found.name(), name);
            assert_eq!(found.method(), DetectionMethod::ZeroBytePattern);
            assert_eq!(decode_all(&bytes, &found), DANISH);
        }
    }

    #[test]
    fn windows_1252_danish_is_guessed_and_decoded() {
        let bytes = encode(DANISH, encoding_rs::WINDOWS_1252);
        let found = detect(&bytes, true, &here()).unwrap();
        assert_eq!(found.name(), "windows-1252");
        assert_eq!(found.method(), DetectionMethod::Statistical);
        assert_eq!(decode_all(&bytes, &found), DANISH);
    }

    #[test]
    fn central_european_text_is_not_read_as_western() {
        let bytes = encode(CZECH, encoding_rs::WINDOWS_1250);
        let found = detect(&bytes, true, &here()).unwrap();
        assert_eq!(found.name(), "windows-1250");
        assert_eq!(decode_all(&bytes, &found), CZECH);
    }

    #[test]
    fn iso_8859_2_decodes_through_a_user_override() {
        let text = "Łódź;Gdańsk;Kraków;Poznań;Wrocław\n";
        let bytes = encode(text, encoding_rs::ISO_8859_2);
        let chosen = DetectedEncoding::user_choice("ISO-8859-2").unwrap();
        assert_eq!(chosen.name(), "ISO-8859-2");
        assert_eq!(chosen.method(), DetectionMethod::UserChoice);
        assert_eq!(decode_all(&bytes, &chosen), text);
        // Read as Western European, the same bytes come out wrong: the
        // override is what makes the difference.
        let western = DetectedEncoding::user_choice("latin1").unwrap();
        assert_ne!(decode_all(&bytes, &western), text);
    }

    #[test]
    fn unknown_encoding_label_is_refused_with_the_label() {
        let err = DetectedEncoding::user_choice("klingon-8").unwrap_err();
        assert_eq!(err.code(), "import_unknown_encoding");
        assert!(err.to_string().contains("klingon-8"));
    }

    #[test]
    fn workbooks_pdfs_and_binary_renamed_to_csv_are_refused_with_what_they_are() {
        let cases: [(&[u8], BinaryKind); 4] = [
            (
                b"PK\x03\x04\x14\x00\x06\x00xl/workbook.xml",
                BinaryKind::ZipContainer,
            ),
            (
                b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\x00\x00",
                BinaryKind::OleCompound,
            ),
            (b"%PDF-1.7\n%\xE2\xE3", BinaryKind::Pdf),
            (
                b"\x01\x02\x03\x00\x9a\xff\x10\x00\x00\x07abc\x00",
                BinaryKind::Unknown,
            ),
        ];
        for (bytes, kind) in cases {
            match detect(bytes, true, &here()) {
                Err(ImportError::NotText {
                    kind: got,
                    location,
                }) => {
                    assert_eq!(got, kind);
                    assert_eq!(location.file, "invoices.csv");
                }
                other => panic!("{bytes:?} accepted as {other:?}"),
            }
        }
    }

    #[test]
    fn an_empty_file_is_an_error_not_an_empty_import() {
        let err = detect(b"", true, &here()).unwrap_err();
        assert_eq!(err.code(), "import_empty_file");
    }

    #[test]
    fn malformed_bytes_are_replaced_and_flagged() {
        let chosen = DetectedEncoding::user_choice("utf-8").unwrap();
        let mut reader = DecodingReader::new(&b"ok;\xFF\xFE;ok\n"[..], &chosen);
        let mut text = String::new();
        reader.read_to_string(&mut text).unwrap();
        assert_eq!(text, "ok;\u{FFFD}\u{FFFD};ok\n");
        assert!(reader.had_errors());
    }

    #[test]
    fn decoding_streams_a_file_larger_than_its_buffers() {
        let line = "Bjørn Østergård;1.234,56;Næstved\n";
        let text = line.repeat(10_000); // ~340 KB, many input chunks
        let bytes = encode(&text, encoding_rs::WINDOWS_1252);
        let chosen = DetectedEncoding::user_choice("windows-1252").unwrap();
        let mut out = String::new();
        DecodingReader::new(&bytes[..], &chosen)
            .read_to_string(&mut out)
            .unwrap();
        assert_eq!(out.len(), text.len());
        assert!(out == text);
    }

    #[test]
    fn detection_serialises_for_the_ui() {
        let found = detect(b"a;b\n1;2\n", true, &here()).unwrap();
        let json = serde_json::to_value(found).unwrap();
        assert_eq!(json["name"], "UTF-8");
        assert_eq!(json["method"], "valid_utf8");
    }
}
