import { collectDefaultMetrics, Registry } from 'prom-client';

/**
 * The app's own Prometheus registry (never prom-client's global one: tests build several apps in
 * one process, and each must count only its own), with Node's process metrics.
 */
export function createMetricsRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}
