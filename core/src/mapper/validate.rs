//! Validation of model values before anything is sent: type, required, text length bounds,
//! collection size. Pure. Custom validators belong to the language layer.

use super::schema::{ColumnDef, ModelSchema};
use crate::error::{Error, Result};

use crate::value::Value;

/// The most elements a collection may hold.
pub const MAX_COLLECTION_ELEMENTS: usize = 65_535;

/// Checks one value for its column; the message says what is wrong.
pub fn check(column: &ColumnDef, value: &Value) -> std::result::Result<(), String> {
    if value.is_null() {
        if column.required || column.is_key() {
            return Err(if column.is_key() {
                "is a key column and cannot be null"
            } else {
                "is required"
            }
            .to_owned());
        }
        return Ok(());
    }
    if matches!(value, Value::Unset) {
        return Ok(());
    }
    value
        .to_cql(&column.typ.to_column_type())
        .map_err(|e| e.0)?;
    if let Value::Text(s) | Value::Ascii(s) = value {
        let chars = s.chars().count();
        if let Some(min) = column.min_length {
            if chars < min {
                return Err(format!(
                    "is {chars} characters long, at least {min} are required"
                ));
            }
        }
        if let Some(max) = column.max_length {
            if chars > max {
                return Err(format!(
                    "is {chars} characters long, at most {max} are allowed"
                ));
            }
        }
    }
    let elements = match value {
        Value::List(v) | Value::Set(v) => v.len(),
        Value::Map(m) => m.len(),
        _ => 0,
    };
    if column.typ.is_collection() && elements > MAX_COLLECTION_ELEMENTS {
        return Err(format!(
            "has {elements} elements, at most {MAX_COLLECTION_ELEMENTS} are allowed"
        ));
    }
    Ok(())
}

/// Checks a value for the model's column named `name`.
pub fn check_column(model: &ModelSchema, name: &str, value: &Value) -> Result<()> {
    let column = model.column_named(name)?;
    check(column, value).map_err(|reason| Error::Validation {
        model: model.name.clone(),
        column: name.to_owned(),
        reason,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mapper::schema::ColumnDef;
    use crate::types::CqlType;

    #[test]
    fn values_are_checked_against_their_column() {
        let mut name = ColumnDef::new("name", CqlType::Text).required();
        name.min_length = Some(2);
        name.max_length = Some(5);
        assert!(check(&name, &Value::from("abc")).is_ok());
        assert_eq!(check(&name, &Value::Null).unwrap_err(), "is required");
        assert!(check(&name, &Value::from("a"))
            .unwrap_err()
            .contains("at least 2"));
        assert!(check(&name, &Value::from("abcdef"))
            .unwrap_err()
            .contains("at most 5"));
        assert!(check(&name, &Value::Int(1))
            .unwrap_err()
            .contains("cannot be bound to text"));
        let key = ColumnDef::new("id", CqlType::Uuid).partition_key();
        assert!(check(&key, &Value::Null)
            .unwrap_err()
            .contains("key column"));
        let tags = ColumnDef::new(
            "tags",
            CqlType::Set {
                element: Box::new(CqlType::Int),
                frozen: false,
            },
        );
        let too_many = Value::Set((0..65_536).map(Value::Int).collect());
        assert!(check(&tags, &too_many).unwrap_err().contains("65535"));
        assert!(check(&tags, &Value::Set(vec![Value::Int(1)])).is_ok());
    }
}
