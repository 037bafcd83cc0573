/**
 * Typed errors of the local-services layer (install, start, stop, health). Each names the
 * service, what went wrong and the log file to read, so `rexsweep dev up` can say what to fix.
 */
import { RexsweepError } from '../../recsys/errors.ts';

/** Local dev servers, and the team stack's servers (infra/team/). */
export type ServiceName = 'temporal' | 'mlflow' | 'postgres' | 'temporal-server' | 's3' | 'mlflow-team';

/** Installing a tool into the cache failed; nothing half-installed is kept. */
export class InstallError extends RexsweepError {
  constructor(
    readonly tool: string,
    readonly step: string,
    readonly detail: string,
    readonly logFile?: string,
  ) {
    super(`installing ${tool} failed at "${step}": ${detail}${logFile ? ` (log: ${logFile})` : ''}`);
  }
}

/** Another process held a lock for longer than we were willing to wait. */
export class LockTimeoutError extends RexsweepError {
  constructor(readonly lockFile: string, readonly holder: string, readonly waitedMs: number) {
    super(`timed out after ${Math.round(waitedMs / 1000)} s waiting for ${lockFile} (held by ${holder})`);
  }
}

/** A server process exited early or did not become healthy in time. */
export class ServiceStartError extends RexsweepError {
  constructor(
    readonly service: ServiceName,
    readonly detail: string,
    readonly logFile?: string,
    readonly logTail?: string,
  ) {
    super(
      `${service} did not start: ${detail}${logFile ? ` (log: ${logFile})` : ''}` +
        (logTail ? `\n--- last lines of the log ---\n${logTail}` : ''),
    );
  }
}

/** The port a service should bind is already taken by a process rexsweep did not start. */
export class PortInUseError extends RexsweepError {
  constructor(readonly service: ServiceName, readonly port: number, readonly hint: string) {
    super(`${service}: port 127.0.0.1:${port} is already in use by another process; ${hint}`);
  }
}

/** An address given through TEMPORAL_ADDRESS or MLFLOW_TRACKING_URI did not answer its health check. */
export class ServiceUnreachableError extends RexsweepError {
  constructor(readonly service: ServiceName, readonly address: string, readonly detail: string) {
    super(`${service} at ${address} is not reachable: ${detail}`);
  }
}

/** A server that would not stop even after SIGKILL. */
export class ServiceStopError extends RexsweepError {
  constructor(readonly service: ServiceName, readonly pid: number, readonly detail: string) {
    super(`${service} (pid ${pid}) did not stop: ${detail}`);
  }
}
