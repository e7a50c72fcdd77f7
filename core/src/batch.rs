//! Batches: several writes sent as one request (LOGGED, UNLOGGED, COUNTER).

use scylla::response::PagingStateResponse;
use scylla::statement::batch::{
    Batch as ScyllaBatch, BatchStatement, BatchType as ScyllaBatchType,
};

use crate::error::{Error, Result};
use crate::result::ResultSet;
use crate::session::{apply_options, bind, BoundRow, Query, Session};
use crate::statement::{StatementOptions, Values};

/// The kind of a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BatchType {
    /// Atomic through the batch log (the default).
    #[default]
    Logged,
    /// Not atomic across partitions; cheaper.
    Unlogged,
    /// Counter updates only.
    Counter,
}

/// A batch of statements with their values. Statements may mix CQL strings and prepared
/// statements; CQL strings with values are prepared (and cached) first.
#[derive(Debug, Clone, Default)]
pub struct Batch {
    /// The batch's kind.
    pub kind: BatchType,
    /// The statements, in order, each with its values.
    pub statements: Vec<(Query, Values)>,
    /// Options of the whole batch (consistency, serial consistency, timestamp, timeout, ...).
    /// The page size does not apply.
    pub options: StatementOptions,
}

impl Batch {
    /// An empty batch of `kind`.
    pub fn new(kind: BatchType) -> Self {
        Batch {
            kind,
            ..Default::default()
        }
    }

    /// Adds a statement with its values.
    pub fn add(mut self, query: impl Into<Query>, values: impl Into<Values>) -> Self {
        self.statements.push((query.into(), values.into()));
        self
    }

    /// Sets the batch's options.
    pub fn with_options(mut self, options: StatementOptions) -> Self {
        self.options = options;
        self
    }
}

impl Session {
    /// Executes a batch. A batch of conditional statements answers with `[applied]` (see
    /// [`ResultSet::was_applied`]): when not applied, nothing of the batch was written.
    pub async fn batch(&self, batch: &Batch) -> Result<ResultSet> {
        self.counters().observe(self.batch_unobserved(batch).await)
    }

    async fn batch_unobserved(&self, batch: &Batch) -> Result<ResultSet> {
        self.check_process()?;
        if batch.statements.is_empty() {
            return Err(Error::InvalidArgument(
                "a batch needs at least one statement".into(),
            ));
        }
        let mut b = ScyllaBatch::new(match batch.kind {
            BatchType::Logged => ScyllaBatchType::Logged,
            BatchType::Unlogged => ScyllaBatchType::Unlogged,
            BatchType::Counter => ScyllaBatchType::Counter,
        });
        let mut rows: Vec<BoundRow> = Vec::with_capacity(batch.statements.len());
        for (i, (query, values)) in batch.statements.iter().enumerate() {
            let at = |e: Error| match e {
                Error::BindArity { .. } | Error::BindType { .. } | Error::UnknownBindName(_) => {
                    Error::BatchBind {
                        statement: i,
                        error: Box::new(e),
                    }
                }
                other => other,
            };
            match query {
                Query::Cql(st) if values.is_empty() => {
                    b.append_statement(BatchStatement::Query(scylla::statement::Statement::new(
                        st.cql.clone(),
                    )));
                    rows.push(Vec::new());
                }
                Query::Cql(st) => {
                    let prepared = self.prepare_cached(st).await?;
                    rows.push(bind(prepared.get_variable_col_specs(), values).map_err(at)?);
                    b.append_statement(BatchStatement::PreparedStatement(prepared));
                }
                Query::Prepared(p) => {
                    rows.push(
                        bind(p.driver_statement().get_variable_col_specs(), values).map_err(at)?,
                    );
                    b.append_statement(BatchStatement::PreparedStatement(
                        p.driver_statement().clone(),
                    ));
                }
            }
        }
        apply_options!(self, &mut b, &batch.options);
        let result = self.driver().batch(&b, rows).await?;
        ResultSet::from_page(result, PagingStateResponse::NoMorePages)
    }
}
