//! Reading the agency's dates and timestamps.
//!
//! The spec says `date-time` everywhere, but the agency is not consistent:
//! some read endpoints return naive timestamps without a zone (they are UTC),
//! invoice dates may come as `2025-01-15` or `2025-01-15T00:00:00`, and .NET
//! writes `0001-01-01T00:00:00` for a date that was never set.

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, Utc};
use serde::{Deserialize, Deserializer};

/// .NET's `DateTime.MinValue`, the placeholder for "no date".
fn is_unset(date: NaiveDate) -> bool {
    date.year() <= 1
}

/// A timestamp with an offset, a naive one (read as UTC) or a bare date
/// (midnight UTC).
pub(crate) fn parse_timestamp(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(with_zone) = DateTime::parse_from_rfc3339(text) {
        return Some(with_zone.with_timezone(&Utc));
    }
    if let Ok(naive) = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f") {
        return Some(naive.and_utc());
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|dt| dt.and_utc())
}

/// The calendar date as written, whatever time or zone follows it. An
/// invoice date is a local calendar date; converting it to UTC first could
/// move it a day.
pub(crate) fn parse_calendar_date(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    let date_part = text.get(..10)?;
    let rest = &text[10..];
    if !(rest.is_empty() || rest.starts_with('T') || rest.starts_with(' ')) {
        return None;
    }
    NaiveDate::parse_from_str(date_part, "%Y-%m-%d").ok()
}

fn invalid<E: serde::de::Error>(what: &str, text: &str) -> E {
    E::custom(format!(
        "{what} {text:?} is not an ISO 8601 date or timestamp"
    ))
}

pub(crate) mod timestamp {
    use super::*;

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        let text = String::deserialize(d)?;
        parse_timestamp(&text).ok_or_else(|| invalid("timestamp", &text))
    }

    pub(crate) fn optional<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<DateTime<Utc>>, D::Error> {
        match Option::<String>::deserialize(d)? {
            None => Ok(None),
            Some(text) if text.trim().is_empty() => Ok(None),
            Some(text) => {
                let at = parse_timestamp(&text).ok_or_else(|| invalid("timestamp", &text))?;
                Ok((!is_unset(at.date_naive())).then_some(at))
            }
        }
    }
}

pub(crate) mod calendar_date {
    use super::*;

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
        let text = String::deserialize(d)?;
        parse_calendar_date(&text).ok_or_else(|| invalid("date", &text))
    }

    /// Absent, null, empty and .NET's `0001-01-01` all mean "no date".
    pub(crate) fn optional<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
        match Option::<String>::deserialize(d)? {
            None => Ok(None),
            Some(text) if text.trim().is_empty() => Ok(None),
            Some(text) => {
                let date = parse_calendar_date(&text).ok_or_else(|| invalid("date", &text))?;
                Ok((!is_unset(date)).then_some(date))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn timestamps_with_zone_without_zone_and_bare_dates_are_all_utc() {
        let expected = Utc
            .with_ymd_and_hms(2025, 1, 15, 10, 30, 0)
            .single()
            .expect("valid");
        assert_eq!(parse_timestamp("2025-01-15T10:30:00Z"), Some(expected));
        assert_eq!(parse_timestamp("2025-01-15T11:30:00+01:00"), Some(expected));
        assert_eq!(
            parse_timestamp("2025-01-15T10:30:00"),
            Some(expected),
            "naive = UTC"
        );
        assert_eq!(
            parse_timestamp("2025-01-15T10:30:00.0000000"),
            Some(expected),
            ".NET 7 digits"
        );
        assert_eq!(
            parse_timestamp("2025-01-15"),
            Utc.with_ymd_and_hms(2025, 1, 15, 0, 0, 0).single()
        );
        assert_eq!(parse_timestamp("15/01/2025"), None);
    }

    #[test]
    fn calendar_date_keeps_the_written_day_even_with_an_offset() {
        let day = NaiveDate::from_ymd_opt(2025, 1, 15).expect("valid");
        assert_eq!(parse_calendar_date("2025-01-15"), Some(day));
        assert_eq!(parse_calendar_date("2025-01-15T00:00:00+01:00"), Some(day));
        assert_eq!(parse_calendar_date("2025-01-15T23:59:59Z"), Some(day));
        assert_eq!(parse_calendar_date("2025-01-150"), None);
        assert_eq!(parse_calendar_date("2025-1-5"), None);
    }

    #[derive(Deserialize)]
    struct Holder {
        #[serde(default, deserialize_with = "calendar_date::optional")]
        due: Option<NaiveDate>,
    }

    #[test]
    fn dotnet_min_value_and_null_mean_no_due_date() {
        for json in [r#"{"due":"0001-01-01T00:00:00"}"#, r#"{"due":null}"#, "{}"] {
            let holder: Holder = serde_json::from_str(json).expect("parses");
            assert_eq!(holder.due, None, "{json}");
        }
        assert!(serde_json::from_str::<Holder>(r#"{"due":"soon"}"#).is_err());
    }
}
