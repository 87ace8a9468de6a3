//! The subset of QuickBooks' query language the fake understands:
//!
//! ```text
//! SELECT * | COUNT(*) FROM Invoice | Customer
//!   [WHERE cond AND cond …]  cond := Field op 'value' | Field IN ('a', 'b', …)
//!   [ORDERBY Field [ASC|DESC]] [STARTPOSITION n] [MAXRESULTS m]
//! ```
//!
//! Keywords in any case; `op` is `=`, `!=`, `<`, `<=`, `>`, `>=`. `OR`
//! is refused (QuickBooks does not support it). Errors carry the codes
//! QuickBooks uses: 4000 for a statement that does not parse, 4001 for one
//! that parses but names an unknown entity or property.

/// What was asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Query {
    pub count: bool,
    pub entity: Entity,
    pub conditions: Vec<Condition>,
    /// Field and whether descending.
    pub order: Option<(String, bool)>,
    /// 1-based.
    pub start: usize,
    pub max: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Entity {
    Invoice,
    Customer,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Condition {
    pub field: String,
    pub op: Op,
    pub values: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    In,
}

/// A statement QuickBooks would refuse, with its fault fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct QueryError {
    pub code: &'static str,
    pub message: &'static str,
    pub detail: String,
}

/// QuickBooks' default and largest page.
pub(crate) const DEFAULT_MAX: usize = 100;
pub(crate) const LARGEST_MAX: usize = 1_000;

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word(String),
    Text(String),
    Sym(&'static str),
}

fn parse_error(found: &str, column: usize) -> QueryError {
    QueryError {
        code: "4000",
        message: "Error parsing query",
        detail: format!("QueryParserError: Encountered \" {found} \" at line 1, column {column}."),
    }
}

pub(crate) fn invalid(detail: String) -> QueryError {
    QueryError {
        code: "4001",
        message: "Invalid query",
        detail: format!("QueryValidationError: {detail}"),
    }
}

fn tokenize(text: &str) -> Result<Vec<(Tok, usize)>, QueryError> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let column = i + 1;
        if c.is_whitespace() {
            i += 1;
        } else if c == '\'' {
            let mut value = String::new();
            i += 1;
            loop {
                match chars.get(i) {
                    None => return Err(parse_error("<EOF>", i + 1)),
                    Some('\\') if chars.get(i + 1).is_some() => {
                        value.push(chars[i + 1]);
                        i += 2;
                    }
                    Some('\'') => {
                        i += 1;
                        break;
                    }
                    Some(other) => {
                        value.push(*other);
                        i += 1;
                    }
                }
            }
            out.push((Tok::Text(value), column));
        } else if c.is_alphanumeric() || c == '_' || c == '.' || c == '-' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || "_.-:".contains(chars[i])) {
                i += 1;
            }
            out.push((Tok::Word(chars[start..i].iter().collect()), column));
        } else {
            let two: String = chars[i..(i + 2).min(chars.len())].iter().collect();
            let sym = match two.as_str() {
                "<=" => Some("<="),
                ">=" => Some(">="),
                "!=" => Some("!="),
                _ => None,
            };
            if let Some(sym) = sym {
                out.push((Tok::Sym(sym), column));
                i += 2;
                continue;
            }
            let sym = match c {
                '*' => "*",
                '(' => "(",
                ')' => ")",
                ',' => ",",
                '=' => "=",
                '<' => "<",
                '>' => ">",
                other => return Err(parse_error(&other.to_string(), column)),
            };
            out.push((Tok::Sym(sym), column));
            i += 1;
        }
    }
    Ok(out)
}

struct Parser {
    toks: Vec<(Tok, usize)>,
    at: usize,
    end_column: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.at).map(|(t, _)| t)
    }

    fn fail(&self) -> QueryError {
        match self.toks.get(self.at) {
            Some((Tok::Word(w), col)) => parse_error(w, *col),
            Some((Tok::Text(t), col)) => parse_error(&format!("'{t}'"), *col),
            Some((Tok::Sym(s), col)) => parse_error(s, *col),
            None => parse_error("<EOF>", self.end_column),
        }
    }

    fn keyword(&mut self, word: &str) -> bool {
        match self.peek() {
            Some(Tok::Word(w)) if w.eq_ignore_ascii_case(word) => {
                self.at += 1;
                true
            }
            _ => false,
        }
    }

    fn expect_keyword(&mut self, word: &str) -> Result<(), QueryError> {
        if self.keyword(word) {
            Ok(())
        } else {
            Err(self.fail())
        }
    }

    fn symbol(&mut self, sym: &str) -> bool {
        match self.peek() {
            Some(Tok::Sym(s)) if *s == sym => {
                self.at += 1;
                true
            }
            _ => false,
        }
    }

    fn expect_symbol(&mut self, sym: &str) -> Result<(), QueryError> {
        if self.symbol(sym) {
            Ok(())
        } else {
            Err(self.fail())
        }
    }

    fn word(&mut self) -> Result<String, QueryError> {
        match self.peek() {
            Some(Tok::Word(w)) => {
                let w = w.clone();
                self.at += 1;
                Ok(w)
            }
            _ => Err(self.fail()),
        }
    }

    /// A quoted value, or a bare number / `true` / `false`.
    fn value(&mut self) -> Result<String, QueryError> {
        match self.peek() {
            Some(Tok::Text(t)) | Some(Tok::Word(t)) => {
                let t = t.clone();
                self.at += 1;
                Ok(t)
            }
            _ => Err(self.fail()),
        }
    }

    fn number(&mut self) -> Result<usize, QueryError> {
        let before = self.at;
        let word = self.word()?;
        word.parse::<usize>().map_err(|_| {
            self.at = before;
            self.fail()
        })
    }
}

const RESERVED: [&str; 9] = [
    "SELECT",
    "FROM",
    "WHERE",
    "AND",
    "OR",
    "ORDERBY",
    "STARTPOSITION",
    "MAXRESULTS",
    "IN",
];

pub(crate) fn parse(text: &str) -> Result<Query, QueryError> {
    let toks = tokenize(text)?;
    let mut p = Parser {
        toks,
        at: 0,
        end_column: text.chars().count() + 1,
    };
    p.expect_keyword("SELECT")?;
    let count = if p.symbol("*") {
        false
    } else if p.keyword("COUNT") {
        p.expect_symbol("(")?;
        p.expect_symbol("*")?;
        p.expect_symbol(")")?;
        true
    } else {
        return Err(p.fail());
    };
    p.expect_keyword("FROM")?;
    let entity_name = p.word()?;
    let entity = match entity_name.as_str() {
        e if e.eq_ignore_ascii_case("Invoice") => Entity::Invoice,
        e if e.eq_ignore_ascii_case("Customer") => Entity::Customer,
        other => return Err(invalid(format!("invalid context declaration: {other}"))),
    };
    let mut conditions = Vec::new();
    if p.keyword("WHERE") {
        loop {
            let field = p.word()?;
            if RESERVED.iter().any(|r| field.eq_ignore_ascii_case(r)) {
                p.at -= 1;
                return Err(p.fail());
            }
            let (op, values) = if p.keyword("IN") {
                p.expect_symbol("(")?;
                let mut values = vec![p.value()?];
                while p.symbol(",") {
                    values.push(p.value()?);
                }
                p.expect_symbol(")")?;
                (Op::In, values)
            } else {
                let op = match p.peek() {
                    Some(Tok::Sym("=")) => Op::Eq,
                    Some(Tok::Sym("!=")) => Op::Ne,
                    Some(Tok::Sym("<")) => Op::Lt,
                    Some(Tok::Sym("<=")) => Op::Le,
                    Some(Tok::Sym(">")) => Op::Gt,
                    Some(Tok::Sym(">=")) => Op::Ge,
                    _ => return Err(p.fail()),
                };
                p.at += 1;
                (op, vec![p.value()?])
            };
            conditions.push(Condition { field, op, values });
            if p.keyword("AND") {
                continue;
            }
            if matches!(p.peek(), Some(Tok::Word(w)) if w.eq_ignore_ascii_case("OR")) {
                return Err(p.fail());
            }
            break;
        }
    }
    let mut order = None;
    if p.keyword("ORDERBY") {
        let field = p.word()?;
        let desc = if p.keyword("DESC") {
            true
        } else {
            p.keyword("ASC");
            false
        };
        order = Some((field, desc));
    }
    let (mut start, mut max) = (1, DEFAULT_MAX);
    // Either order, each at most once.
    for _ in 0..2 {
        if p.keyword("STARTPOSITION") {
            start = p.number()?;
        } else if p.keyword("MAXRESULTS") {
            max = p.number()?;
        }
    }
    if p.peek().is_some() {
        return Err(p.fail());
    }
    if start == 0 {
        return Err(invalid("STARTPOSITION must be 1 or more".into()));
    }
    if max == 0 || max > LARGEST_MAX {
        return Err(invalid(format!(
            "MAXRESULTS must be between 1 and {LARGEST_MAX}"
        )));
    }
    Ok(Query {
        count,
        entity,
        conditions,
        order,
        start,
        max,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_clients_statements_parse() {
        let q = parse("SELECT * FROM Invoice WHERE Balance > '0' AND TxnDate >= '2024-01-01' ORDERBY Id STARTPOSITION 1001 MAXRESULTS 1000").expect("parses");
        assert!(!q.count);
        assert_eq!(q.entity, Entity::Invoice);
        assert_eq!(q.conditions.len(), 2);
        assert_eq!(q.conditions[1].op, Op::Ge);
        assert_eq!(q.order, Some(("Id".into(), false)));
        assert_eq!((q.start, q.max), (1001, 1000));
        let c = parse("select count(*) from Invoice where Balance > '0'").expect("parses");
        assert!(c.count);
        let ids =
            parse("SELECT * FROM Customer WHERE Id IN ('1','o\\'k') MAXRESULTS 2 STARTPOSITION 1")
                .expect("parses");
        assert_eq!(ids.conditions[0].values, vec!["1", "o'k"]);
        assert_eq!((ids.start, ids.max), (1, 2));
    }

    #[test]
    fn defaults_are_the_first_row_and_a_hundred() {
        let q = parse("SELECT * FROM Customer").expect("parses");
        assert_eq!((q.start, q.max), (1, DEFAULT_MAX));
    }

    #[test]
    fn a_misspelt_entity_is_a_4001_like_the_recorded_fault() {
        let err = parse("SELECT * FROM Custmoer").expect_err("unknown entity");
        assert_eq!(err.code, "4001");
        assert_eq!(
            err.detail,
            "QueryValidationError: invalid context declaration: Custmoer"
        );
    }

    #[test]
    fn or_and_garbage_are_parse_errors_naming_the_token() {
        let err = parse("SELECT * FROM Invoice WHERE Id = '1' OR Id = '2'").expect_err("OR");
        assert_eq!(err.code, "4000");
        assert!(err.detail.contains("\" OR \""), "{}", err.detail);
        assert_eq!(
            parse("SELECT FROM Invoice").expect_err("no columns").code,
            "4000"
        );
        assert_eq!(
            parse("SELECT * FROM Invoice WHERE Balance > '0")
                .expect_err("open quote")
                .code,
            "4000"
        );
        assert_eq!(
            parse("SELECT * FROM Invoice MAXRESULTS ten")
                .expect_err("word")
                .code,
            "4000"
        );
        assert_eq!(parse("").expect_err("empty").code, "4000");
    }

    #[test]
    fn pages_beyond_a_thousand_rows_are_refused() {
        assert_eq!(
            parse("SELECT * FROM Invoice MAXRESULTS 1001")
                .expect_err("too big")
                .code,
            "4001"
        );
        assert_eq!(
            parse("SELECT * FROM Invoice STARTPOSITION 0")
                .expect_err("zero")
                .code,
            "4001"
        );
    }
}
