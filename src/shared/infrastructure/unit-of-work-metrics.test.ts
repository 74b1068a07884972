import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { UnitOfWorkMetrics } from './unit-of-work-metrics.ts';

describe('UnitOfWorkMetrics', () => {
  it("counts each context's re-runs by reason", async () => {
    const registry = new Registry();
    const metrics = new UnitOfWorkMetrics(registry);
    const projects = metrics.of('projects');
    projects.rerun('lost_race');
    projects.rerun('lost_race');
    projects.rerun('lock_on_lane');
    metrics.of('catalog').rerun('transient');
    const samples = (await registry.metrics()).split('\n').filter((line) => !line.startsWith('#'));
    expect(samples.filter(Boolean).sort()).toEqual([
      'unit_of_work_reruns_total{context="catalog",reason="transient"} 1',
      'unit_of_work_reruns_total{context="projects",reason="lock_on_lane"} 1',
      'unit_of_work_reruns_total{context="projects",reason="lost_race"} 2',
    ]);
  });
});
