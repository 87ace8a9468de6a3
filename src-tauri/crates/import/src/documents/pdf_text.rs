//! Enough of a PDF's text to find an invoice number in it.
//!
//! Not a PDF parser: a bounded scan for content streams (`stream` …
//! `endstream`), inflating `/FlateDecode` ones, and collecting the string
//! operands of text operators (`(…) Tj`, `[(…) -20 (…)] TJ`, `<…>`).
//! That is how invoicing systems write their PDFs (Latin text in simple
//! fonts), and it finds "Invoice no. 10045". It finds nothing in scanned
//! images or in text drawn with embedded CID fonts; the file name still
//! matches those.
//!
//! Why not a PDF crate: `lopdf` and `pdf-extract` load and cross-reference
//! the whole document and pull in a font and encoding stack. For hostile
//! input from a dropped ZIP we want hard bounds instead — input, streams,
//! inflated bytes and output are all capped, and nothing here can panic or
//! allocate more than the caps — with `flate2`, already in the build for
//! the ZIP reader.

use std::io::Read;

use flate2::read::ZlibDecoder;

/// Most content streams looked at.
const MAX_STREAMS: usize = 256;
/// Most bytes inflated from one stream.
const MAX_INFLATED_PER_STREAM: u64 = 4 << 20;
/// Most bytes inflated from the whole file.
const MAX_INFLATED_TOTAL: u64 = 16 << 20;
/// Most characters of text returned.
const MAX_TEXT: usize = 1 << 20;
/// How far back from `stream` the stream's dictionary is looked for.
const MAX_DICT: usize = 2048;

/// The text found in the PDF's content streams, words separated by
/// spaces, at most 1 MiB. Empty when none is readable.
pub fn pdf_text(pdf: &[u8]) -> String {
    let mut text = String::new();
    let mut inflated_total = 0u64;
    let mut from = 0;
    let mut streams = 0;
    while streams < MAX_STREAMS && text.len() < MAX_TEXT {
        let Some(at) = find(&pdf[from..], b"stream").map(|i| from + i) else {
            break;
        };
        let keyword_end = at + b"stream".len();
        // `endstream` also contains `stream`; only a keyword followed by
        // an end of line starts data.
        let data_start = match pdf.get(keyword_end..keyword_end + 2) {
            Some([b'\r', b'\n']) => keyword_end + 2,
            Some([b'\n', _]) | Some([b'\r', _]) => keyword_end + 1,
            _ => {
                from = keyword_end;
                continue;
            }
        };
        let Some(data_len) = find(&pdf[data_start..], b"endstream") else {
            break;
        };
        streams += 1;
        let data = &pdf[data_start..data_start + data_len];
        let dict = last_dict(&pdf[at.saturating_sub(MAX_DICT)..at]);
        from = data_start + data_len + b"endstream".len();
        if find(dict, b"/Filter").is_none() {
            collect_strings(data, &mut text);
        } else if find(dict, b"/FlateDecode").is_some() && !has_other_filter(dict) {
            let budget = MAX_INFLATED_PER_STREAM.min(MAX_INFLATED_TOTAL - inflated_total);
            let mut out = Vec::new();
            // A damaged stream still gives what inflated before the damage.
            let _ = ZlibDecoder::new(data).take(budget).read_to_end(&mut out);
            inflated_total += out.len() as u64;
            collect_strings(&out, &mut text);
            if inflated_total >= MAX_INFLATED_TOTAL {
                break;
            }
        }
    }
    text.truncate(floor_char_boundary(&text, MAX_TEXT));
    text
}

/// The dictionary right before `stream`: from its last `<<`.
fn last_dict(before: &[u8]) -> &[u8] {
    before
        .windows(2)
        .rposition(|w| w == b"<<")
        .map_or(before, |i| &before[i..])
}

/// Filters we cannot undo (images, LZW, filter chains) mean no text.
fn has_other_filter(dict: &[u8]) -> bool {
    [
        &b"/DCTDecode"[..],
        b"/LZWDecode",
        b"/ASCII85Decode",
        b"/ASCIIHexDecode",
        b"/JPXDecode",
        b"/CCITTFaxDecode",
        b"/JBIG2Decode",
        b"/RunLengthDecode",
    ]
    .iter()
    .any(|f| find(dict, f).is_some())
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn floor_char_boundary(s: &str, max: usize) -> usize {
    let mut i = max.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Appends the string operands of a content stream: strings inside one
/// `[...]` array (a `TJ` with kerning) are joined, others separated.
fn collect_strings(content: &[u8], text: &mut String) {
    let mut i = 0;
    let mut in_array = false;
    while i < content.len() && text.len() < MAX_TEXT {
        match content[i] {
            b'(' => {
                i = literal(content, i + 1, text);
                if !in_array {
                    text.push(' ');
                }
            }
            b'<' if content.get(i + 1) == Some(&b'<') => i += 2,
            b'<' => {
                i = hex(content, i + 1, text);
                if !in_array {
                    text.push(' ');
                }
            }
            b'[' => {
                in_array = true;
                i += 1;
            }
            b']' => {
                in_array = false;
                text.push(' ');
                i += 1;
            }
            // A kerning gap wide enough to be a space between words.
            b'-' if in_array && content.get(i + 1).is_some_and(|d| d.is_ascii_digit()) => {
                let end = content[i + 1..]
                    .iter()
                    .position(|b| !b.is_ascii_digit())
                    .map_or(content.len(), |p| i + 1 + p);
                if end - i > 3 {
                    text.push(' ');
                }
                i = end;
            }
            _ => i += 1,
        }
    }
}

/// A `(...)` string with nesting and escapes, from just after `(`; returns
/// the index after its `)`. Bytes are read as Latin-1 (PDFDocEncoding and
/// WinAnsi agree with it on letters and digits).
fn literal(content: &[u8], mut i: usize, text: &mut String) -> usize {
    let mut depth = 1usize;
    while i < content.len() {
        let b = content[i];
        i += 1;
        match b {
            b'\\' => {
                let Some(&e) = content.get(i) else { break };
                i += 1;
                match e {
                    b'n' | b'r' | b't' | b'f' | b'b' => text.push(' '),
                    b'0'..=b'7' => {
                        let mut value = u32::from(e - b'0');
                        for _ in 0..2 {
                            match content.get(i) {
                                Some(&d @ b'0'..=b'7') => {
                                    value = value * 8 + u32::from(d - b'0');
                                    i += 1;
                                }
                                _ => break,
                            }
                        }
                        push_byte(text, (value & 0xFF) as u8);
                    }
                    b'\r' | b'\n' => {}
                    other => push_byte(text, other),
                }
            }
            b'(' => {
                depth += 1;
                text.push('(');
            }
            b')' => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
                text.push(')');
            }
            other => push_byte(text, other),
        }
    }
    i
}

/// A `<...>` hex string, from just after `<`.
fn hex(content: &[u8], mut i: usize, text: &mut String) -> usize {
    let mut high: Option<u8> = None;
    while i < content.len() {
        let b = content[i];
        i += 1;
        let nibble = match b {
            b'>' => break,
            b'0'..=b'9' => b - b'0',
            b'a'..=b'f' => b - b'a' + 10,
            b'A'..=b'F' => b - b'A' + 10,
            _ => continue,
        };
        match high.take() {
            Some(h) => push_byte(text, h << 4 | nibble),
            None => high = Some(nibble),
        }
    }
    if let Some(h) = high {
        push_byte(text, h << 4);
    }
    i
}

fn push_byte(text: &mut String, b: u8) {
    if b.is_ascii_control() {
        text.push(' ');
    } else {
        text.push(char::from(b));
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use flate2::write::ZlibEncoder;
    use flate2::Compression;

    use super::*;

    fn pdf_with(content: &[u8], compressed: bool) -> Vec<u8> {
        let (dict, data) = if compressed {
            let mut encoder = ZlibEncoder::new(Vec::new(), Compression::default());
            encoder.write_all(content).expect("in memory");
            (
                "<< /Length 1 /Filter /FlateDecode >>",
                encoder.finish().expect("in memory"),
            )
        } else {
            ("<< /Length 1 >>", content.to_vec())
        };
        let mut pdf = b"%PDF-1.4\n1 0 obj\n".to_vec();
        pdf.extend_from_slice(dict.as_bytes());
        pdf.extend_from_slice(b"\nstream\r\n");
        pdf.extend_from_slice(&data);
        pdf.extend_from_slice(b"\nendstream\nendobj\n%%EOF\n");
        pdf
    }

    #[test]
    fn text_operators_are_read_from_plain_and_flate_streams() {
        let content =
            b"BT /F1 12 Tf 72 700 Td (Invoice no.) Tj [(100) -10 (45)] TJ (Nordisk \\(DK\\)) Tj ET";
        for compressed in [false, true] {
            let text = pdf_text(&pdf_with(content, compressed));
            assert!(text.contains("Invoice no."), "{text}");
            assert!(text.contains("10045"), "kerned parts join: {text}");
            assert!(text.contains("Nordisk (DK)"), "{text}");
        }
    }

    #[test]
    fn hex_strings_and_octal_escapes_decode() {
        let text = pdf_text(&pdf_with(b"<496E76> Tj (\\116r 7) Tj", false));
        assert!(text.contains("Inv"), "{text}");
        assert!(text.contains("Nr 7"), "{text}");
    }

    #[test]
    fn garbage_and_truncated_streams_give_what_they_have_and_never_panic() {
        assert_eq!(pdf_text(b"%PDF-1.4 stream\n(abc"), "");
        let mut cut = pdf_with(b"(Invoice 1) Tj", true);
        cut.truncate(cut.len() - 30);
        let _ = pdf_text(&cut);
        let mut damaged = pdf_with(b"(Invoice 1) Tj", true);
        let middle = damaged.len() / 2;
        damaged[middle] ^= 0xFF;
        let _ = pdf_text(&damaged);
    }
}
