//! A ZIP writer for hostile test files: every header field is ours to set,
//! including the ones a real writer would never lie about.

use std::io::Write;

use flate2::write::DeflateEncoder;
use flate2::Compression;

/// One entry as it will be written.
pub struct RawEntry {
    pub name: String,
    /// The bytes stored in the archive (already compressed when `deflate`).
    pub data: Vec<u8>,
    pub deflate: bool,
    pub crc: u32,
    /// What the headers declare.
    pub declared_size: u32,
    /// General-purpose flags (bit 0: encrypted).
    pub flags: u16,
    /// Unix mode in the high 16 bits of the external attributes.
    pub unix_mode: u32,
}

impl RawEntry {
    /// A stored (uncompressed) file with honest headers.
    pub fn stored(name: &str, content: &[u8]) -> RawEntry {
        RawEntry {
            name: name.to_owned(),
            data: content.to_vec(),
            deflate: false,
            crc: crc32(content),
            declared_size: u32::try_from(content.len()).expect("small test file"),
            flags: 0,
            unix_mode: 0o100644,
        }
    }

    /// A deflated file with honest headers.
    pub fn deflated(name: &str, content: &[u8]) -> RawEntry {
        let mut encoder = DeflateEncoder::new(Vec::new(), Compression::best());
        encoder.write_all(content).expect("in memory");
        RawEntry {
            data: encoder.finish().expect("in memory"),
            deflate: true,
            ..RawEntry::stored(name, content)
        }
    }
}

/// The archive: local headers and data, central directory, end record.
pub fn build(entries: &[RawEntry]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for e in entries {
        let offset = u32::try_from(out.len()).expect("small test archive");
        let method: u16 = if e.deflate { 8 } else { 0 };
        let name = e.name.as_bytes();
        let name_len = u16::try_from(name.len()).expect("short name");
        let compressed = u32::try_from(e.data.len()).expect("small test entry");
        out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        for v in [20u16, e.flags, method, 0, 0x21] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        for v in [e.crc, compressed, e.declared_size] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        out.extend_from_slice(&name_len.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(name);
        out.extend_from_slice(&e.data);

        central.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        // Made by Unix (3), so the mode in the external attributes counts.
        for v in [0x031Eu16, 20, e.flags, method, 0, 0x21] {
            central.extend_from_slice(&v.to_le_bytes());
        }
        for v in [e.crc, compressed, e.declared_size] {
            central.extend_from_slice(&v.to_le_bytes());
        }
        for v in [name_len, 0, 0, 0, 0] {
            central.extend_from_slice(&v.to_le_bytes());
        }
        central.extend_from_slice(&(e.unix_mode << 16).to_le_bytes());
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name);
    }
    let cd_offset = u32::try_from(out.len()).expect("small test archive");
    let cd_size = u32::try_from(central.len()).expect("small test archive");
    let count = u16::try_from(entries.len()).expect("few entries");
    out.extend_from_slice(&central);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    for v in [0u16, 0, count, count] {
        out.extend_from_slice(&v.to_le_bytes());
    }
    out.extend_from_slice(&cd_size.to_le_bytes());
    out.extend_from_slice(&cd_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

/// CRC-32 (IEEE), bit by bit: test files are small.
pub fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A minimal PDF whose page says `text` (uncompressed content stream).
pub fn pdf(text: &str) -> Vec<u8> {
    format!(
        "%PDF-1.4\n1 0 obj\n<< /Length 44 >>\nstream\nBT /F1 12 Tf 72 700 Td ({text}) Tj ET\nendstream\nendobj\n%%EOF\n"
    )
    .into_bytes()
}
