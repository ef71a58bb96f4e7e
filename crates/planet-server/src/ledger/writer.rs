//! Group commit. Every change that moves amounts goes through one writer task per process:
//! requests that arrive while a batch is being written wait, and are then written together in
//! one database transaction, so many transfers share one disk flush. Each request runs in its
//! own savepoint, so one refused request changes nothing and does not disturb the others. No
//! request is answered before its batch has committed (and so is on disk).

use super::apply::{self, Applied, Op};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use planet_domain::MemberId;
use planet_store::TransactionTrait;
use planet_store::queries::ledger::chain;
use tokio::sync::{mpsc, oneshot};

/// The most requests written in one transaction.
const MAX_BATCH: usize = 256;

struct Job {
    op: Op,
    reply: oneshot::Sender<AppResult<Applied>>,
}

/// The way into the writer task, started on first use.
#[derive(Default)]
pub struct Writer {
    queue: std::sync::OnceLock<mpsc::Sender<Job>>,
}

impl Writer {
    fn queue(&self, state: &AppState) -> &mpsc::Sender<Job> {
        self.queue.get_or_init(|| {
            let (sender, receiver) = mpsc::channel(4 * MAX_BATCH);
            // The task holds the state weakly: when the server is gone, the queue closes and the
            // task ends.
            tokio::spawn(run(state.downgrade(), receiver));
            sender
        })
    }
}

/// Write one change of the ledger, with whatever else is waiting, and answer once it is
/// committed.
pub(crate) async fn submit(state: &AppState, op: Op) -> AppResult<Applied> {
    let (reply, answer) = oneshot::channel();
    state
        .ledger_writer()
        .queue(state)
        .send(Job { op, reply })
        .await
        .map_err(|_| AppError::Internal("the ledger writer has stopped".to_owned()))?;
    answer.await.map_err(|_| AppError::Internal("the ledger writer dropped a request".to_owned()))?
}

async fn run(server: std::sync::Weak<crate::state::Inner>, mut receiver: mpsc::Receiver<Job>) {
    while let Some(first) = receiver.recv().await {
        let Some(state) = AppState::upgrade(&server) else { return };
        let mut jobs = vec![first];
        while jobs.len() < MAX_BATCH {
            match receiver.try_recv() {
                Ok(job) => jobs.push(job),
                Err(_) => break,
            }
        }
        // Each batch in a task of its own: should one panic, its requests are answered with
        // an error (their replies are dropped) and the writer goes on with the next batch.
        let batch = tokio::spawn(async move { write(&state, jobs).await });
        if batch.await.is_err() {
            tracing::error!("a ledger batch panicked; its requests were refused, nothing in it was written");
        }
    }
}

async fn write(state: &AppState, jobs: Vec<Job>) {
    let (ops, replies): (Vec<Op>, Vec<_>) = jobs.into_iter().map(|j| (j.op, j.reply)).unzip();
    match write_batch(state, ops).await {
        Ok(results) => {
            let mut told: Vec<MemberId> = Vec::new();
            for applied in results.iter().flatten() {
                told.extend(&applied.told);
            }
            for (reply, result) in replies.into_iter().zip(results) {
                let _ = reply.send(result);
            }
            if !told.is_empty() {
                told.sort();
                told.dedup();
                state.told();
                state.wake_mailer();
                // Ringing bells is not the ledger's work: the next batch does not wait for it.
                let ringer = state.clone();
                tokio::spawn(async move { ringer.ring(told).await });
            }
        }
        Err(err) => {
            tracing::error!(error = ?err, "a ledger batch failed; nothing in it was written");
            for reply in replies {
                let _ = reply.send(Err(AppError::Internal("the ledger batch failed".to_owned())));
            }
        }
    }
}

async fn write_batch(state: &AppState, ops: Vec<Op>) -> AppResult<Vec<AppResult<Applied>>> {
    let now = state.now();
    let txn = state.store().begin().await?;
    let mut head = chain::take_head(&txn).await?;
    let mut results = Vec::with_capacity(ops.len());
    for op in ops {
        let savepoint = txn.begin().await?;
        let before = head.clone();
        match apply::apply(state, &savepoint, &mut head, op, now).await {
            Ok(applied) => {
                savepoint.commit().await?;
                results.push(Ok(applied));
            }
            Err(err) => {
                savepoint.rollback().await?;
                head = before;
                results.push(Err(err));
            }
        }
    }
    chain::save_head(&txn, &head).await?;
    txn.commit().await?;
    Ok(results)
}
