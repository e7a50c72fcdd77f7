//! CQL column types as plain owned data: what result metadata and bind markers report, and
//! what the mapper will render. Pure: no runtime, no network.

use std::fmt;

use scylla::frame::response::result::{CollectionType, ColumnType, NativeType};

/// A CQL data type.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CqlType {
    /// `ascii`
    Ascii,
    /// `boolean`
    Boolean,
    /// `blob`
    Blob,
    /// `counter`
    Counter,
    /// `date`
    Date,
    /// `decimal`
    Decimal,
    /// `double`
    Double,
    /// `duration`
    Duration,
    /// `float`
    Float,
    /// `int`
    Int,
    /// `bigint`
    BigInt,
    /// `text` (also `varchar`)
    Text,
    /// `timestamp`
    Timestamp,
    /// `inet`
    Inet,
    /// `smallint`
    SmallInt,
    /// `tinyint`
    TinyInt,
    /// `time`
    Time,
    /// `timeuuid`
    Timeuuid,
    /// `uuid`
    Uuid,
    /// `varint`
    Varint,
    /// `list<T>`
    List {
        /// Element type.
        element: Box<CqlType>,
        /// Whether the collection is frozen.
        frozen: bool,
    },
    /// `set<T>`
    Set {
        /// Element type.
        element: Box<CqlType>,
        /// Whether the collection is frozen.
        frozen: bool,
    },
    /// `map<K, V>`
    Map {
        /// Key type.
        key: Box<CqlType>,
        /// Value type.
        value: Box<CqlType>,
        /// Whether the collection is frozen.
        frozen: bool,
    },
    /// `tuple<T1, T2, ...>` (always frozen).
    Tuple(Vec<CqlType>),
    /// A user-defined type.
    Udt {
        /// Keyspace of the type.
        keyspace: String,
        /// Type name.
        name: String,
        /// Fields, in declaration order.
        fields: Vec<(String, CqlType)>,
        /// Whether the value is frozen.
        frozen: bool,
    },
    /// `vector<T, n>`
    Vector {
        /// Element type.
        element: Box<CqlType>,
        /// Number of elements.
        dimensions: u16,
    },
    /// A type this driver does not know (custom types).
    Custom(String),
}

impl From<&ColumnType<'_>> for CqlType {
    fn from(t: &ColumnType<'_>) -> Self {
        match t {
            ColumnType::Native(n) => match n {
                NativeType::Ascii => CqlType::Ascii,
                NativeType::Boolean => CqlType::Boolean,
                NativeType::Blob => CqlType::Blob,
                NativeType::Counter => CqlType::Counter,
                NativeType::Date => CqlType::Date,
                NativeType::Decimal => CqlType::Decimal,
                NativeType::Double => CqlType::Double,
                NativeType::Duration => CqlType::Duration,
                NativeType::Float => CqlType::Float,
                NativeType::Int => CqlType::Int,
                NativeType::BigInt => CqlType::BigInt,
                NativeType::Text => CqlType::Text,
                NativeType::Timestamp => CqlType::Timestamp,
                NativeType::Inet => CqlType::Inet,
                NativeType::SmallInt => CqlType::SmallInt,
                NativeType::TinyInt => CqlType::TinyInt,
                NativeType::Time => CqlType::Time,
                NativeType::Timeuuid => CqlType::Timeuuid,
                NativeType::Uuid => CqlType::Uuid,
                NativeType::Varint => CqlType::Varint,
                other => CqlType::Custom(format!("{other:?}")),
            },
            ColumnType::Collection { frozen, typ } => match typ {
                CollectionType::List(e) => CqlType::List {
                    element: Box::new(e.as_ref().into()),
                    frozen: *frozen,
                },
                CollectionType::Set(e) => CqlType::Set {
                    element: Box::new(e.as_ref().into()),
                    frozen: *frozen,
                },
                CollectionType::Map(k, v) => CqlType::Map {
                    key: Box::new(k.as_ref().into()),
                    value: Box::new(v.as_ref().into()),
                    frozen: *frozen,
                },
                other => CqlType::Custom(format!("{other:?}")),
            },
            ColumnType::Vector { typ, dimensions } => CqlType::Vector {
                element: Box::new(typ.as_ref().into()),
                dimensions: *dimensions,
            },
            ColumnType::UserDefinedType { frozen, definition } => CqlType::Udt {
                keyspace: definition.keyspace.to_string(),
                name: definition.name.to_string(),
                fields: definition
                    .field_types
                    .iter()
                    .map(|(n, t)| (n.to_string(), t.into()))
                    .collect(),
                frozen: *frozen,
            },
            ColumnType::Tuple(ts) => CqlType::Tuple(ts.iter().map(Into::into).collect()),
            other => CqlType::Custom(format!("{other:?}")),
        }
    }
}

impl CqlType {
    /// The driver's type description (for binding and checking values).
    pub fn to_column_type(&self) -> ColumnType<'static> {
        use std::borrow::Cow;
        use std::sync::Arc;

        use scylla::frame::response::result::UserDefinedType;
        let native = |n| ColumnType::Native(n);
        match self {
            CqlType::Ascii => native(NativeType::Ascii),
            CqlType::Boolean => native(NativeType::Boolean),
            CqlType::Blob => native(NativeType::Blob),
            CqlType::Counter => native(NativeType::Counter),
            CqlType::Date => native(NativeType::Date),
            CqlType::Decimal => native(NativeType::Decimal),
            CqlType::Double => native(NativeType::Double),
            CqlType::Duration => native(NativeType::Duration),
            CqlType::Float => native(NativeType::Float),
            CqlType::Int => native(NativeType::Int),
            CqlType::BigInt => native(NativeType::BigInt),
            CqlType::Text | CqlType::Custom(_) => native(NativeType::Text),
            CqlType::Timestamp => native(NativeType::Timestamp),
            CqlType::Inet => native(NativeType::Inet),
            CqlType::SmallInt => native(NativeType::SmallInt),
            CqlType::TinyInt => native(NativeType::TinyInt),
            CqlType::Time => native(NativeType::Time),
            CqlType::Timeuuid => native(NativeType::Timeuuid),
            CqlType::Uuid => native(NativeType::Uuid),
            CqlType::Varint => native(NativeType::Varint),
            CqlType::List { element, frozen } => ColumnType::Collection {
                frozen: *frozen,
                typ: CollectionType::List(Box::new(element.to_column_type())),
            },
            CqlType::Set { element, frozen } => ColumnType::Collection {
                frozen: *frozen,
                typ: CollectionType::Set(Box::new(element.to_column_type())),
            },
            CqlType::Map { key, value, frozen } => ColumnType::Collection {
                frozen: *frozen,
                typ: CollectionType::Map(
                    Box::new(key.to_column_type()),
                    Box::new(value.to_column_type()),
                ),
            },
            CqlType::Tuple(ts) => {
                ColumnType::Tuple(ts.iter().map(CqlType::to_column_type).collect())
            }
            CqlType::Udt {
                keyspace,
                name,
                fields,
                frozen,
            } => ColumnType::UserDefinedType {
                frozen: *frozen,
                definition: Arc::new(UserDefinedType {
                    name: Cow::Owned(name.clone()),
                    keyspace: Cow::Owned(keyspace.clone()),
                    field_types: fields
                        .iter()
                        .map(|(n, t)| (Cow::Owned(n.clone()), t.to_column_type()))
                        .collect(),
                }),
            },
            CqlType::Vector {
                element,
                dimensions,
            } => ColumnType::Vector {
                typ: Box::new(element.to_column_type()),
                dimensions: *dimensions,
            },
        }
    }

    /// Whether the type is a collection (list, set or map).
    pub fn is_collection(&self) -> bool {
        matches!(
            self,
            CqlType::List { .. } | CqlType::Set { .. } | CqlType::Map { .. }
        )
    }
}

/// Quotes a CQL identifier: `"name"`, with inner double quotes doubled. Quoted, a name keeps
/// its case and cannot be read as a keyword.
pub fn quote_identifier(ident: &str) -> String {
    format!("\"{}\"", ident.replace('"', "\"\""))
}

fn frozen(f: &mut fmt::Formatter<'_>, frozen: bool, inner: fmt::Arguments<'_>) -> fmt::Result {
    if frozen {
        write!(f, "frozen<{inner}>")
    } else {
        f.write_fmt(inner)
    }
}

/// Renders the type as CQL spells it, e.g. `map<text, frozen<list<int>>>`.
impl fmt::Display for CqlType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let simple = match self {
            CqlType::Ascii => "ascii",
            CqlType::Boolean => "boolean",
            CqlType::Blob => "blob",
            CqlType::Counter => "counter",
            CqlType::Date => "date",
            CqlType::Decimal => "decimal",
            CqlType::Double => "double",
            CqlType::Duration => "duration",
            CqlType::Float => "float",
            CqlType::Int => "int",
            CqlType::BigInt => "bigint",
            CqlType::Text => "text",
            CqlType::Timestamp => "timestamp",
            CqlType::Inet => "inet",
            CqlType::SmallInt => "smallint",
            CqlType::TinyInt => "tinyint",
            CqlType::Time => "time",
            CqlType::Timeuuid => "timeuuid",
            CqlType::Uuid => "uuid",
            CqlType::Varint => "varint",
            CqlType::List {
                element,
                frozen: fr,
            } => return frozen(f, *fr, format_args!("list<{element}>")),
            CqlType::Set {
                element,
                frozen: fr,
            } => return frozen(f, *fr, format_args!("set<{element}>")),
            CqlType::Map {
                key,
                value,
                frozen: fr,
            } => return frozen(f, *fr, format_args!("map<{key}, {value}>")),
            CqlType::Tuple(ts) => {
                f.write_str("tuple<")?;
                for (i, t) in ts.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{t}")?;
                }
                return f.write_str(">");
            }
            CqlType::Udt {
                keyspace,
                name,
                frozen: fr,
                ..
            } => {
                let name = quote_identifier(name);
                if keyspace.is_empty() {
                    return frozen(f, *fr, format_args!("{name}"));
                }
                let ks = quote_identifier(keyspace);
                return frozen(f, *fr, format_args!("{ks}.{name}"));
            }
            CqlType::Vector {
                element,
                dimensions,
            } => return write!(f, "vector<{element}, {dimensions}>"),
            CqlType::Custom(name) => return write!(f, "'{}'", name.replace('\'', "''")),
        };
        f.write_str(simple)
    }
}

/// Parses a CQL type as CQL spells it: `int`, `varchar`, `list<text>`,
/// `frozen<map<text, list<int>>>`, `tuple<int, text>`, `vector<float, 3>`, and user-defined
/// types by name (`address`, `frozen<address>`, `ks.address`, `"Ks"."My ""Type"""`), whose
/// fields the mapper reads from the cluster's metadata. As in CQL, unquoted names are
/// case-insensitive (read in lower case) and quoted ones keep their case and their doubled
/// quotes; a quoted name is always a user-defined type's.
impl std::str::FromStr for CqlType {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let mut p = TypeParser {
            s: text.as_bytes(),
            at: 0,
        };
        let t = p.parse(false)?;
        p.skip_space();
        if p.at != p.s.len() {
            return Err(format!(
                "unexpected {:?} after the type in {text:?}",
                &text[p.at..]
            ));
        }
        Ok(t)
    }
}

struct TypeParser<'a> {
    s: &'a [u8],
    at: usize,
}

impl TypeParser<'_> {
    fn skip_space(&mut self) {
        while self.s.get(self.at).is_some_and(u8::is_ascii_whitespace) {
            self.at += 1;
        }
    }

    /// One name: a quoted identifier (`"My ""Type"""`, returned unquoted, `true`) or a run of
    /// letters, digits and underscores (lower-cased, `false`).
    fn word(&mut self) -> Result<(String, bool), String> {
        self.skip_space();
        let start = self.at;
        if self.s.get(self.at) == Some(&b'"') {
            let mut name = Vec::new();
            self.at += 1;
            loop {
                match self.s.get(self.at) {
                    None => return Err(format!("an unclosed quoted name at position {start}")),
                    Some(b'"') if self.s.get(self.at + 1) == Some(&b'"') => {
                        name.push(b'"');
                        self.at += 2;
                    }
                    Some(b'"') => {
                        self.at += 1;
                        break;
                    }
                    Some(&c) => {
                        name.push(c);
                        self.at += 1;
                    }
                }
            }
            if name.is_empty() {
                return Err(format!("an empty quoted name at position {start}"));
            }
            return Ok((String::from_utf8_lossy(&name).into_owned(), true));
        }
        while self
            .s
            .get(self.at)
            .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_')
        {
            self.at += 1;
        }
        if start == self.at {
            return Err(format!("a type name is expected at position {start}"));
        }
        let word = String::from_utf8_lossy(&self.s[start..self.at]).to_ascii_lowercase();
        Ok((word, false))
    }

    fn expect(&mut self, c: u8) -> Result<(), String> {
        self.skip_space();
        if self.s.get(self.at) == Some(&c) {
            self.at += 1;
            Ok(())
        } else {
            Err(format!(
                "{:?} is expected at position {}",
                c as char, self.at
            ))
        }
    }

    fn peek(&mut self) -> Option<u8> {
        self.skip_space();
        self.s.get(self.at).copied()
    }

    fn parse(&mut self, frozen: bool) -> Result<CqlType, String> {
        let (name, quoted) = self.word()?;
        if quoted {
            return self.udt(name, frozen);
        }
        Ok(match name.as_str() {
            "ascii" => CqlType::Ascii,
            "boolean" => CqlType::Boolean,
            "blob" => CqlType::Blob,
            "counter" => CqlType::Counter,
            "date" => CqlType::Date,
            "decimal" => CqlType::Decimal,
            "double" => CqlType::Double,
            "duration" => CqlType::Duration,
            "float" => CqlType::Float,
            "int" => CqlType::Int,
            "bigint" => CqlType::BigInt,
            "text" | "varchar" => CqlType::Text,
            "timestamp" => CqlType::Timestamp,
            "inet" => CqlType::Inet,
            "smallint" => CqlType::SmallInt,
            "tinyint" => CqlType::TinyInt,
            "time" => CqlType::Time,
            "timeuuid" => CqlType::Timeuuid,
            "uuid" => CqlType::Uuid,
            "varint" => CqlType::Varint,
            "frozen" => {
                self.expect(b'<')?;
                let inner = self.parse(true)?;
                self.expect(b'>')?;
                inner
            }
            "list" | "set" => {
                self.expect(b'<')?;
                let element = Box::new(self.parse(false)?);
                self.expect(b'>')?;
                if name == "list" {
                    CqlType::List { element, frozen }
                } else {
                    CqlType::Set { element, frozen }
                }
            }
            "map" => {
                self.expect(b'<')?;
                let key = Box::new(self.parse(false)?);
                self.expect(b',')?;
                let value = Box::new(self.parse(false)?);
                self.expect(b'>')?;
                CqlType::Map { key, value, frozen }
            }
            "tuple" => {
                self.expect(b'<')?;
                let mut items = vec![self.parse(false)?];
                while self.peek() == Some(b',') {
                    self.at += 1;
                    items.push(self.parse(false)?);
                }
                self.expect(b'>')?;
                CqlType::Tuple(items)
            }
            "vector" => {
                self.expect(b'<')?;
                let element = Box::new(self.parse(false)?);
                self.expect(b',')?;
                let (n, quoted) = self.word()?;
                let dimensions = n
                    .parse::<u16>()
                    .ok()
                    .filter(|_| !quoted)
                    .ok_or_else(|| format!("{n:?} is not a vector dimension"))?;
                self.expect(b'>')?;
                CqlType::Vector {
                    element,
                    dimensions,
                }
            }
            _ => return self.udt(name, frozen),
        })
    }

    /// A user-defined type named `first` or, when a `.` follows, `first.<name>`.
    fn udt(&mut self, first: String, frozen: bool) -> Result<CqlType, String> {
        let (keyspace, name) = if self.peek() == Some(b'.') {
            self.at += 1;
            (first, self.word()?.0)
        } else {
            (String::new(), first)
        };
        Ok(CqlType::Udt {
            keyspace,
            name,
            fields: Vec::new(),
            frozen,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_parse_from_cql_text_and_render_back() {
        for text in [
            "int",
            "map<text, frozen<list<int>>>",
            "tuple<int, vector<float, 3>>",
            "frozen<set<uuid>>",
        ] {
            assert_eq!(text.parse::<CqlType>().unwrap().to_string(), text);
        }
        assert_eq!("VARCHAR".parse::<CqlType>().unwrap(), CqlType::Text);
        assert_eq!(
            "frozen<ks.address>".parse::<CqlType>().unwrap(),
            CqlType::Udt {
                keyspace: "ks".into(),
                name: "address".into(),
                fields: vec![],
                frozen: true
            }
        );
        assert!("list<int".parse::<CqlType>().is_err());
        assert!("map<text>".parse::<CqlType>().is_err());
        assert!("int int".parse::<CqlType>().is_err());
        assert!("vector<float, x>".parse::<CqlType>().is_err());
    }

    #[test]
    fn user_defined_type_names_are_quoted_and_parse_back() {
        let udt = |keyspace: &str, name: &str, frozen| CqlType::Udt {
            keyspace: keyspace.into(),
            name: name.into(),
            fields: vec![],
            frozen,
        };
        for (text, typ, shown) in [
            ("address", udt("", "address", false), r#""address""#),
            (
                "ks.Address",
                udt("ks", "address", false),
                r#""ks"."address""#,
            ),
            (
                r#"frozen<"Ks" . "My ""Type""">"#,
                udt("Ks", r#"My "Type""#, true),
                r#"frozen<"Ks"."My ""Type""">"#,
            ),
            (r#""int""#, udt("", "int", false), r#""int""#),
            (
                r#"map<text, frozen<"a.b">>"#,
                CqlType::Map {
                    key: Box::new(CqlType::Text),
                    value: Box::new(udt("", "a.b", true)),
                    frozen: false,
                },
                r#"map<text, frozen<"a.b">>"#,
            ),
        ] {
            let parsed: CqlType = text.parse().unwrap();
            assert_eq!(parsed, typ, "{text}");
            assert_eq!(parsed.to_string(), shown, "{text}");
            assert_eq!(shown.parse::<CqlType>().unwrap(), typ, "{shown}");
        }
        assert_eq!(CqlType::Custom("a'b".into()).to_string(), "'a''b'");
        for bad in [
            r#""open"#,
            r#""""#,
            r#"ks."#,
            r#"vector<float, "3">"#,
            "ks.a.b",
        ] {
            assert!(bad.parse::<CqlType>().is_err(), "{bad}");
        }
    }

    #[test]
    fn renders_nested_types_as_cql() {
        let t = CqlType::Map {
            key: Box::new(CqlType::Text),
            value: Box::new(CqlType::List {
                element: Box::new(CqlType::Int),
                frozen: true,
            }),
            frozen: false,
        };
        assert_eq!(t.to_string(), "map<text, frozen<list<int>>>");
        let t = CqlType::Tuple(vec![
            CqlType::Int,
            CqlType::Vector {
                element: Box::new(CqlType::Float),
                dimensions: 3,
            },
        ]);
        assert_eq!(t.to_string(), "tuple<int, vector<float, 3>>");
    }
}
