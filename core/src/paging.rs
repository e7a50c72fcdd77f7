//! Streaming rows across pages: the next page is fetched while the current one is read, so
//! memory is bounded by the page size, not by the size of the result.

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use futures::{Stream, StreamExt};
use scylla::client::pager::TypedRowStream;
use scylla::value::Row as ScyllaRow;

use crate::error::{Error, Result};
use crate::result::{ColumnSpec, Row};
use crate::session::{bind, specs, Query, Session};
use crate::statement::Values;
use crate::value::Value;

/// Rows of a result, page after page (one page fetched ahead). A `Stream` of rows.
pub struct RowStream {
    columns: Arc<[ColumnSpec]>,
    rows: TypedRowStream<ScyllaRow>,
}

impl std::fmt::Debug for RowStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RowStream")
            .field("columns", &self.columns)
            .finish_non_exhaustive()
    }
}

impl RowStream {
    /// The result's columns.
    pub fn columns(&self) -> &Arc<[ColumnSpec]> {
        &self.columns
    }

    /// The next row, or `None` after the last one.
    pub async fn next_row(&mut self) -> Option<Result<Row>> {
        self.next().await
    }
}

impl Stream for RowStream {
    type Item = Result<Row>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.rows.poll_next_unpin(cx).map(|next| {
            next.map(|row| {
                row.map(|r| r.columns.into_iter().map(Value::from).collect())
                    .map_err(|e| match e {
                        scylla::errors::NextRowError::NextPageError(p) => page_error(p),
                        other => Error::Protocol(other.to_string()),
                    })
            })
        })
    }
}

fn page_error(e: scylla::errors::NextPageError) -> Error {
    match e {
        scylla::errors::NextPageError::RequestFailure(r) => match r {
            scylla::errors::RequestError::LastAttemptError(a) => (&a).into(),
            scylla::errors::RequestError::RequestTimeout(d) => Error::OperationTimedOut(d),
            scylla::errors::RequestError::ConnectionPoolError(p) => (&p).into(),
            other => Error::Driver(other.to_string()),
        },
        other => Error::Driver(other.to_string()),
    }
}

impl Session {
    /// Executes `query` and streams every row of every page, fetching one page ahead. Pages
    /// have the statement's page size (the session's default, 5000, when unset).
    pub async fn execute_stream(
        &self,
        query: impl Into<Query>,
        values: impl Into<Values>,
    ) -> Result<RowStream> {
        let outcome = self.stream_unobserved(query.into(), values.into()).await;
        self.counters().observe(outcome)
    }

    async fn stream_unobserved(&self, query: Query, values: Values) -> Result<RowStream> {
        let prepared = match &query {
            Query::Prepared(p) => p.driver_statement().clone(),
            Query::Cql(st) => self.prepare_cached(st).await?,
        };
        let row = bind(prepared.get_variable_col_specs(), &values)?;
        let pager = self.driver().execute_iter(prepared, row).await?;
        let columns = specs(pager.column_specs());
        let rows = pager
            .rows_stream::<ScyllaRow>()
            .map_err(|e| Error::Protocol(e.to_string()))?;
        Ok(RowStream { columns, rows })
    }
}
