/**
 * The MLflow server's database pool, sized so that it cannot deadlock.
 *
 * MLflow 3.17's `log_batch` holds a database session while `_log_metrics` (and the params and
 * tags it logs) opens a second one. Its synchronous handlers run on AnyIO's worker threads, 40
 * at most. With SQLAlchemy's default pool (5 + 10 overflow), 15 concurrent log-batches can each
 * hold one connection and wait for a second that never comes: the server stops answering every
 * request that needs the database for the pool's 30 s timeout, answers 500, clients retry, and it
 * happens again. Measured (issue 10): a 1,000-cell no-op sweep stalled at 553 cells with 40
 * threads parked in `QueuePool._do_get`, the server idle, `/health` still OK.
 *
 * A pool of at least threads + 1 connections always has one free for a thread that holds one,
 * so some request always completes. Per uvicorn worker: 10 kept open, 31 more on demand.
 */
export const MLFLOW_HANDLER_THREADS = 40;
const POOL_SIZE = 10;
const MAX_OVERFLOW = MLFLOW_HANDLER_THREADS + 1 - POOL_SIZE;

/** Environment of an MLflow server process: its SQLAlchemy pool. */
export function mlflowPoolEnv(): Record<string, string> {
  return { MLFLOW_SQLALCHEMYSTORE_POOL_SIZE: String(POOL_SIZE), MLFLOW_SQLALCHEMYSTORE_MAX_OVERFLOW: String(MAX_OVERFLOW) };
}

/** Connections one MLflow worker may open to its database at most (tracking store only). */
export const MLFLOW_POOL_CONNECTIONS = POOL_SIZE + MAX_OVERFLOW;
