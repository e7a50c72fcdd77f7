//! The object mapper: models ↔ tables, like Python's cqlengine, once for every language.
//! A language describes its models as [`ModelSchema`] data; core renders the CQL (quoted
//! identifiers, bound values), validates values, and executes through cached prepared
//! statements.

pub mod render;
pub mod schema;

pub use schema::{
    snake_case, ClusteringOrder, ColumnDef, ColumnDefault, KeyKind, ModelSchema, OptionValue,
    Polymorphism,
};
