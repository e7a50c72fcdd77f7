//! Results: rows of [`Value`]s with their column metadata and paging state.

use std::net::SocketAddr;
use std::sync::Arc;

use scylla::frame::response::result::ColumnSpec as ScyllaColumnSpec;
use scylla::response::query_result::QueryResult;
use scylla::response::{PagingState, PagingStateResponse};
use scylla::value::Row as ScyllaRow;
use uuid::Uuid;

use crate::error::{Error, Result};
use crate::types::CqlType;
use crate::value::Value;

/// One column of a result (or one bind marker of a prepared statement).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnSpec {
    /// Keyspace of the column's table.
    pub keyspace: String,
    /// The column's table.
    pub table: String,
    /// Column (or marker) name.
    pub name: String,
    /// Its CQL type.
    pub typ: CqlType,
}

impl From<&ScyllaColumnSpec<'_>> for ColumnSpec {
    fn from(s: &ScyllaColumnSpec<'_>) -> Self {
        ColumnSpec {
            keyspace: s.table_spec().ks_name().to_owned(),
            table: s.table_spec().table_name().to_owned(),
            name: s.name().to_owned(),
            typ: s.typ().into(),
        }
    }
}

/// A row: one value per column, in the result's column order.
pub type Row = Vec<Value>;

/// One page of a result.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ResultSet {
    /// Column metadata, shared by all rows (empty for results without rows).
    pub columns: Arc<[ColumnSpec]>,
    /// The page's rows.
    pub rows: Vec<Row>,
    /// Where the next page starts; `None` when this is the last page.
    pub paging_state: Option<Vec<u8>>,
    /// Warnings the server attached to the response.
    pub warnings: Vec<String>,
    /// The trace id, when tracing was asked for.
    pub tracing_id: Option<Uuid>,
    /// The node that coordinated the request, when known.
    pub coordinator: Option<SocketAddr>,
}

impl ResultSet {
    /// The index of the column named `name`, if any.
    pub fn column_index(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name == name)
    }

    /// The value of column `name` in row `row`, if both exist.
    pub fn get(&self, row: usize, name: &str) -> Option<&Value> {
        self.rows.get(row)?.get(self.column_index(name)?)
    }

    /// Whether more pages follow.
    pub fn has_more_pages(&self) -> bool {
        self.paging_state.is_some()
    }

    /// For a conditional statement or batch (lightweight transaction): whether it was
    /// applied. `None` for other statements (no `[applied]` column).
    pub fn was_applied(&self) -> Option<bool> {
        if self.columns.first()?.name != "[applied]" {
            return None;
        }
        match self.rows.first()?.first()? {
            Value::Boolean(applied) => Some(*applied),
            _ => None,
        }
    }

    /// For a lightweight transaction that was not applied: the existing row's values by
    /// column name (the columns after `[applied]`); empty when there is no existing row.
    pub fn lwt_existing_row(&self) -> Vec<(String, Value)> {
        match (self.was_applied(), self.rows.first()) {
            (Some(false), Some(row)) => self
                .columns
                .iter()
                .zip(row)
                .skip(1)
                .map(|(c, v)| (c.name.clone(), v.clone()))
                .collect(),
            _ => Vec::new(),
        }
    }

    /// The first row, if any.
    pub fn first_row(&self) -> Option<&Row> {
        self.rows.first()
    }

    /// Builds a page from the driver's result and paging answer.
    pub(crate) fn from_page(result: QueryResult, paging: PagingStateResponse) -> Result<Self> {
        let paging_state = match paging {
            PagingStateResponse::HasMorePages { state } => {
                state.as_bytes_slice().map(|b| b.to_vec())
            }
            PagingStateResponse::NoMorePages => None,
        };
        let warnings = result.warnings().map(str::to_owned).collect();
        let tracing_id = result.tracing_id();
        let coordinator = Some(result.request_coordinator().connection_address());
        if !result.is_rows() {
            return Ok(ResultSet {
                paging_state,
                warnings,
                tracing_id,
                coordinator,
                ..Default::default()
            });
        }
        let rows_result = result
            .into_rows_result()
            .map_err(|e| Error::Protocol(format!("cannot read the rows: {e}")))?;
        let columns: Arc<[ColumnSpec]> =
            rows_result.column_specs().iter().map(Into::into).collect();
        let rows = rows_result
            .rows::<ScyllaRow>()
            .map_err(|e| Error::Protocol(format!("cannot read the rows: {e}")))?
            .map(|r| {
                r.map(|row| row.columns.into_iter().map(Value::from).collect())
                    .map_err(|e| Error::Protocol(format!("cannot decode a row: {e}")))
            })
            .collect::<Result<Vec<Row>>>()?;
        Ok(ResultSet {
            columns,
            rows,
            paging_state,
            warnings,
            tracing_id,
            coordinator,
        })
    }
}

/// The driver's paging state for resuming at `state` (or starting, when `None`).
pub(crate) fn paging_state(state: Option<&[u8]>) -> PagingState {
    match state {
        Some(bytes) => PagingState::new_from_raw_bytes(bytes),
        None => PagingState::start(),
    }
}
