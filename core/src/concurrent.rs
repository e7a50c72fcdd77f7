//! Managed concurrency: many executions with a bounded number in flight.

use futures::stream::{self, Stream, StreamExt};

use crate::error::Result;
use crate::result::ResultSet;
use crate::session::{Query, Session};
use crate::statement::{StatementOptions, Values};

/// Default number of requests in flight (as in the DataStax Python driver).
pub const DEFAULT_CONCURRENCY: usize = 100;

/// How [`Session::execute_concurrent`] runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConcurrencyOptions {
    /// At most this many requests in flight (at least 1).
    pub concurrency: usize,
    /// Stop at the first error and return it; no request is started after it.
    pub raise_on_first_error: bool,
}

impl Default for ConcurrencyOptions {
    fn default() -> Self {
        ConcurrencyOptions {
            concurrency: DEFAULT_CONCURRENCY,
            raise_on_first_error: true,
        }
    }
}

impl Session {
    /// Executes every `(query, values)` pair with at most `options.concurrency` in flight.
    /// Results come in input order, one per item. With `raise_on_first_error`, the first
    /// error (the first to happen) is returned instead, and no request starts after it.
    pub async fn execute_concurrent(
        &self,
        items: Vec<(Query, Values)>,
        options: ConcurrencyOptions,
    ) -> Result<Vec<Result<ResultSet>>> {
        self.execute_concurrent_with_options(items, options, None)
            .await
    }

    /// [`Session::execute_concurrent`] with `statement_options` for every execution (a
    /// prepared statement's own options are overridden where they are set; see
    /// [`Session::run_with`]).
    pub async fn execute_concurrent_with_options(
        &self,
        items: Vec<(Query, Values)>,
        options: ConcurrencyOptions,
        statement_options: Option<&StatementOptions>,
    ) -> Result<Vec<Result<ResultSet>>> {
        let mut slots: Vec<Option<Result<ResultSet>>> = (0..items.len()).map(|_| None).collect();
        let mut results = self.concurrent_unordered(items, options.concurrency, statement_options);
        while let Some((i, outcome)) = results.next().await {
            if options.raise_on_first_error {
                if let Err(e) = outcome {
                    return Err(e);
                }
            }
            slots[i] = Some(outcome);
        }
        Ok(slots
            .into_iter()
            .map(|s| s.expect("every item ran"))
            .collect())
    }

    /// Executes `query` once per row of values; see [`Session::execute_concurrent`].
    pub async fn execute_concurrent_with_args(
        &self,
        query: impl Into<Query>,
        rows: Vec<Values>,
        options: ConcurrencyOptions,
    ) -> Result<Vec<Result<ResultSet>>> {
        let query = query.into();
        self.execute_concurrent(
            rows.into_iter().map(|v| (query.clone(), v)).collect(),
            options,
        )
        .await
    }

    /// Streams the results of every `(query, values)` pair in input order while at most
    /// `concurrency` run; results are yielded as soon as their turn comes.
    pub fn execute_concurrent_stream(
        &self,
        items: Vec<(Query, Values)>,
        concurrency: usize,
    ) -> impl Stream<Item = Result<ResultSet>> + '_ {
        stream::iter(items)
            .map(move |(q, v)| async move { self.run(&q, &v, None).await })
            .buffered(concurrency.max(1))
    }

    fn concurrent_unordered<'a>(
        &'a self,
        items: Vec<(Query, Values)>,
        concurrency: usize,
        statement_options: Option<&'a StatementOptions>,
    ) -> impl Stream<Item = (usize, Result<ResultSet>)> + 'a {
        stream::iter(items.into_iter().enumerate())
            .map(move |(i, (q, v))| async move {
                let outcome = match statement_options {
                    Some(o) => self.run_with(&q, &v, None, o).await,
                    None => self.run(&q, &v, None).await,
                };
                (i, outcome)
            })
            .buffer_unordered(concurrency.max(1))
    }
}
