/**
 * What one replacement batch of a rolling deployment waits for. Every figure is in seconds.
 */
export interface RolloutTiming {
  /**
   * How long a new task may take to start before its health checks count: the service's
   * `healthCheckGracePeriodSeconds` behind a load balancer, the container health check's
   * `startPeriod` for a worker.
   */
  startupSeconds: number;
  /** Health check interval (target group, or the container health check for a worker). */
  healthCheckIntervalSeconds: number;
  /** Consecutive passing checks before the new task counts as healthy (1 for a container check). */
  healthyThreshold: number;
  /** Target group deregistration delay: how long the old task drains (0 without a load balancer). */
  deregistrationDelaySeconds: number;
  /** The container's `stopTimeout`: SIGTERM to SIGKILL. */
  stopTimeoutSeconds: number;
}

/**
 * The worst-case time one replacement batch of a rolling deployment takes when every step uses its
 * full allowance:
 *
 * ```
 * startup + healthyThreshold × interval + deregistration delay + stop timeout
 * ```
 *
 * A new task starts (up to `startup`), must pass `healthyThreshold` checks `interval` apart, then the
 * old task is deregistered and drains for the deregistration delay, and finally receives SIGTERM and
 * has `stopTimeout` to exit. AWS's defaults (grace 0, interval 30 s × threshold 5, delay 300 s,
 * stop timeout 30 s) give 480 s per batch; Berth's defaults (10 + 2 × 10 + 15 + 10) give 55 s, and
 * dev-like settings (0 + 2 × 5 + 5 + 5) give 20 s. A deployment takes about
 * `ceil(desiredCount / batch size) × this`, where the batch size follows from `maxPercent` and
 * `minHealthyPercent`.
 *
 * @example
 * worstCaseBatchSeconds({ startupSeconds: 0, healthCheckIntervalSeconds: 30, healthyThreshold: 5,
 *   deregistrationDelaySeconds: 300, stopTimeoutSeconds: 30 }); // 480
 */
export function worstCaseBatchSeconds(t: RolloutTiming): number {
  return (
    t.startupSeconds +
    t.healthyThreshold * t.healthCheckIntervalSeconds +
    t.deregistrationDelaySeconds +
    t.stopTimeoutSeconds
  );
}
