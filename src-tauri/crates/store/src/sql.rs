//! How Rust values are spelled in SQLite text columns, in one place.
//!
//! Timestamps are written with a fixed width (`2024-05-01T12:00:00.000Z`) so that comparing the
//! text compares the time; the schema relies on that for `next_attempt_at <= now` and for sorting.

use std::fmt;

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ValueRef};
use rusqlite::Row;

/// A timestamp as the schema stores it.
pub(crate) fn ts(at: &DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

pub(crate) fn opt_ts(at: Option<&DateTime<Utc>>) -> Option<String> {
    at.map(ts)
}

/// A calendar date as the schema stores it.
pub(crate) fn date(d: &NaiveDate) -> String {
    // Display is documented as `%Y-%m-%d` and skips parsing a format string on every row.
    d.to_string()
}

/// A stored timestamp, parsed when a row is read.
struct DbTime(DateTime<Utc>);

impl FromSql for DbTime {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        DateTime::parse_from_rfc3339(value.as_str()?)
            .map(|t| DbTime(t.with_timezone(&Utc)))
            .map_err(FromSqlError::other)
    }
}

struct DbDate(NaiveDate);

impl FromSql for DbDate {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        NaiveDate::parse_from_str(value.as_str()?, "%Y-%m-%d")
            .map(DbDate)
            .map_err(FromSqlError::other)
    }
}

pub(crate) fn get_ts(row: &Row<'_>, col: &str) -> rusqlite::Result<DateTime<Utc>> {
    row.get::<_, DbTime>(col).map(|t| t.0)
}

pub(crate) fn get_opt_ts(row: &Row<'_>, col: &str) -> rusqlite::Result<Option<DateTime<Utc>>> {
    row.get::<_, Option<DbTime>>(col).map(|t| t.map(|t| t.0))
}

pub(crate) fn get_opt_date(row: &Row<'_>, col: &str) -> rusqlite::Result<Option<NaiveDate>> {
    row.get::<_, Option<DbDate>>(col).map(|d| d.map(|d| d.0))
}

/// A JSON column that may be NULL. `serde_json::Value`'s own `FromSql` maps NULL to
/// `Value::Null`, which would blur "no error recorded" and "the error was JSON null".
pub(crate) fn get_opt_json(
    row: &Row<'_>,
    col: &str,
) -> rusqlite::Result<Option<serde_json::Value>> {
    match row.get_ref(col)? {
        ValueRef::Null => Ok(None),
        _ => row.get(col).map(Some),
    }
}

/// `LIKE` pattern that matches `needle` anywhere, with `%`, `_` and `\` taken literally
/// (used with `ESCAPE '\'`).
pub(crate) fn contains_pattern(needle: &str) -> String {
    let mut pattern = String::with_capacity(needle.len() + 2);
    pattern.push('%');
    for c in needle.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// A text column held a value that the enum it maps to does not know.
#[derive(Debug)]
pub(crate) struct UnknownVariant {
    pub(crate) type_name: &'static str,
    pub(crate) text: String,
}

impl fmt::Display for UnknownVariant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown {} {:?}", self.type_name, self.text)
    }
}

impl std::error::Error for UnknownVariant {}

/// A closed set of values stored as text: one definition gives the enum its serde names, its
/// SQL text, and parsing that rejects unknown text instead of guessing.
macro_rules! text_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident => $text:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        pub enum $name {
            $( $(#[$vmeta])* #[serde(rename = $text)] $variant, )+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The text stored in SQLite and used on the wire.
            pub fn as_str(self) -> &'static str {
                match self {
                    $( $name::$variant => $text, )+
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl rusqlite::types::ToSql for $name {
            fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
                Ok(self.as_str().into())
            }
        }

        impl rusqlite::types::FromSql for $name {
            fn column_result(
                value: rusqlite::types::ValueRef<'_>,
            ) -> rusqlite::types::FromSqlResult<Self> {
                let text = value.as_str()?;
                $name::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str() == text)
                    .ok_or_else(|| {
                        rusqlite::types::FromSqlError::other($crate::sql::UnknownVariant {
                            type_name: stringify!($name),
                            text: text.to_owned(),
                        })
                    })
            }
        }
    };
}

pub(crate) use text_enum;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_have_fixed_width_so_text_order_is_time_order() {
        let early = DateTime::parse_from_rfc3339("2024-01-01T09:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let later = DateTime::parse_from_rfc3339("2024-01-01T09:00:00.5Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(ts(&early), "2024-01-01T09:00:00.000Z");
        assert_eq!(ts(&later), "2024-01-01T09:00:00.500Z");
        assert!(ts(&early) < ts(&later));
    }

    #[test]
    fn like_pattern_escapes_wildcards() {
        assert_eq!(contains_pattern("50%_a\\b"), "%50\\%\\_a\\\\b%");
    }
}
