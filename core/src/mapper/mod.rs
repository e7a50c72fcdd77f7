//! The object mapper: models ↔ tables, like Python's cqlengine, once for every language.
//! A language describes its models as [`ModelSchema`] data; core renders the CQL (quoted
//! identifiers, bound values), validates values, and executes through cached prepared
//! statements.

pub mod manage;
pub mod ops;
pub mod render;
pub mod schema;
pub mod validate;

pub use manage::SyncReport;
pub use ops::{
    diff, render_create, render_delete, render_save, render_select, render_update, Change, Filter,
    FilterOp, ModelBatch, ModelQuery, ModelRow, WriteOptions,
};
pub use render::{Op, TokenBound};
pub use schema::{
    snake_case, ClusteringOrder, ColumnDef, ColumnDefault, KeyKind, ModelSchema, OptionValue,
    Polymorphism,
};
