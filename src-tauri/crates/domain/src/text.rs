//! Text normalisation shared by the parsers and the fingerprint.
//!
//! Sources spell the same thing many ways ("Österreich", "OSTERREICH",
//! " österreich "), so lookups go through one folding function instead of
//! each parser inventing its own.

use unicode_normalization::UnicodeNormalization;

/// Lower-cases `s` and removes diacritics: NFKD decomposition without the
/// combining marks, plus the Latin letters that do not decompose (ø, æ, ß…).
pub(crate) fn fold(s: &str) -> String {
    // Most text is ASCII, and a million-row import folds several fields per row: ASCII runs
    // skip the decomposition, which maps them to themselves.
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(start) = rest.find(|c: char| !c.is_ascii()) {
        let (ascii, tail) = rest.split_at(start);
        out.extend(ascii.chars().map(|c| c.to_ascii_lowercase()));
        // Decompose up to the next ASCII letter or digit: combining marks and spacing
        // punctuation after a non-ASCII letter belong to its run.
        let end = tail.find(|c: char| c.is_ascii_alphanumeric()).unwrap_or(tail.len());
        fold_decomposed(&tail[..end], &mut out);
        rest = &tail[end..];
    }
    out.extend(rest.chars().map(|c| c.to_ascii_lowercase()));
    out
}

fn fold_decomposed(s: &str, out: &mut String) {
    for c in s.nfkd() {
        if is_combining_mark(c) {
            continue;
        }
        match c {
            'ø' | 'Ø' => out.push('o'),
            'æ' | 'Æ' => out.push_str("ae"),
            'œ' | 'Œ' => out.push_str("oe"),
            'ß' | 'ẞ' => out.push_str("ss"),
            'ł' | 'Ł' => out.push('l'),
            'đ' | 'Đ' | 'ð' | 'Ð' => out.push('d'),
            'þ' | 'Þ' => out.push_str("th"),
            'ı' => out.push('i'),
            _ => out.extend(c.to_lowercase()),
        }
    }
}

/// Combining diacritical marks (the blocks NFKD moves accents into).
fn is_combining_mark(c: char) -> bool {
    matches!(c,
        '\u{0300}'..='\u{036F}'
        | '\u{1AB0}'..='\u{1AFF}'
        | '\u{1DC0}'..='\u{1DFF}'
        | '\u{20D0}'..='\u{20FF}'
        | '\u{FE20}'..='\u{FE2F}')
}

/// A lookup key: folded, dots dropped ("U.S.A." → "usa"), `&` read as
/// "and", every other non-alphanumeric run turned into one space, trimmed.
pub(crate) fn lookup_key(s: &str) -> String {
    let folded = fold(s).replace('.', "").replace('&', " and ");
    folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Length as the agency counts it: its API is ASP.NET, whose `maxLength`
/// counts UTF-16 code units, so "😀" is 2, not 1.
pub(crate) fn utf16_len(s: &str) -> usize {
    s.encode_utf16().count()
}

/// Cuts `s` so its UTF-16 length is at most `max`, on a `char` boundary.
pub(crate) fn truncate_utf16(s: &str, max: usize) -> &str {
    let mut units = 0;
    for (idx, c) in s.char_indices() {
        units += c.len_utf16();
        if units > max {
            return &s[..idx];
        }
    }
    s
}

/// The trimmed text if there is any: sources send `""` and `"  "` for
/// "unknown" as often as they send null.
pub(crate) fn non_blank(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fold_removes_diacritics_and_special_latin_letters() {
        assert_eq!(fold("Österreich"), "osterreich");
        assert_eq!(fold("Ísland"), "island");
        assert_eq!(fold("Færøerne"), "faeroerne");
        assert_eq!(fold("Großbritannien"), "grossbritannien");
        assert_eq!(fold("Łódź"), "lodz");
        assert_eq!(fold("Côte d’Ivoire"), "cote d’ivoire");
    }

    /// The ASCII fast path must not change a fingerprint: every string folds as decomposing
    /// the whole of it would.
    #[test]
    fn fold_matches_whole_string_decomposition() {
        let whole = |s: &str| {
            let mut out = String::new();
            fold_decomposed(s, &mut out);
            out
        };
        for s in [
            "Nordisk Tømrer 12 ApS",
            "e\u{301}cole",
            "CAFE\u{301} Ｆｕｌｌ",
            "Ǆemal ﬁ ½ Straße",
            "İstanbul Ærø ÅLAND 3 ¹",
            "a\u{5B0}\u{5B9}b",
            "",
            "ASCII only, 100%",
            "😀 x",
        ] {
            assert_eq!(fold(s), whole(s), "{s:?}");
        }
    }

    #[test]
    fn lookup_key_collapses_punctuation_and_case() {
        assert_eq!(lookup_key("  U.S.A. "), "usa");
        assert_eq!(lookup_key("Korea, Republic of"), "korea republic of");
        assert_eq!(lookup_key("Bosnia & Herzegovina"), "bosnia and herzegovina");
        assert_eq!(lookup_key("Côte d'Ivoire"), "cote d ivoire");
        assert_eq!(lookup_key("---"), "");
    }

    #[test]
    fn utf16_length_counts_surrogate_pairs_twice() {
        assert_eq!(utf16_len("abc"), 3);
        assert_eq!(utf16_len("😀"), 2);
        assert_eq!(utf16_len("æøå"), 3);
    }

    #[test]
    fn truncate_utf16_never_splits_a_character() {
        assert_eq!(truncate_utf16("ab😀c", 3), "ab");
        assert_eq!(truncate_utf16("ab😀c", 4), "ab😀");
        assert_eq!(truncate_utf16("abc", 10), "abc");
    }

    #[test]
    fn non_blank_treats_whitespace_as_missing() {
        assert_eq!(non_blank(Some("  x ")), Some("x"));
        assert_eq!(non_blank(Some(" \t ")), None);
        assert_eq!(non_blank(None), None);
    }
}
