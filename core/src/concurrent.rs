//! Managed concurrency: many executions with a bounded number in flight.

use futures::stream::{self, Stream, StreamExt};

use crate::error::Result;
use crate::result::ResultSet;
use crate::session::{Query, Session};
use crate::statement::Values;

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
        let mut slots: Vec<Option<Result<ResultSet>>> = (0..items.len()).map(|_| None).collect();
        let mut results = self.concurrent_unordered(items, options.concurrency);
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

    fn concurrent_unordered(
        &self,
        items: Vec<(Query, Values)>,
        concurrency: usize,
    ) -> impl Stream<Item = (usize, Result<ResultSet>)> + '_ {
        stream::iter(items.into_iter().enumerate())
            .map(move |(i, (q, v))| async move { (i, self.run(&q, &v, None).await) })
            .buffer_unordered(concurrency.max(1))
    }
}
