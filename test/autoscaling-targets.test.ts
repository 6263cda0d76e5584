import { describe, expect, it } from 'vitest';
import { AutoscalingOptions, Scaling } from '../src/api-service/scaling';
import { HTTP_METRICS_PRESETS } from '../src/monitoring/http-metrics';
import { prometheusAdapterRule } from '../src/monitoring/prometheus-adapter';
import { objectsAfter, problemsAfter } from './support/environment-edit';
import { productionLikeBackend } from './support/fixtures';
import { modelProblems } from './support/models';
import { errorOf, one, render } from './support/render';
import { at } from './support/yaml';

const hpa = (options: AutoscalingOptions, limit = '2Gi') =>
  one(
    render((s) =>
      productionLikeBackend(s, {
        scaling: Scaling.autoscale(options),
        resources: { requests: { cpu: '500m', memory: '512Mi' }, limits: { cpu: '2', memory: limit } },
      }),
    ),
    'HorizontalPodAutoscaler',
    'trading-api',
  );

describe('the HPA memory target', () => {
  it('is 80 % of the request by default (Kubernetes’ Utilization), as before', () => {
    expect(hpa({}).spec.metrics?.[1]).toEqual({
      type: 'Resource',
      resource: { name: 'memory', target: { type: 'Utilization', averageUtilization: 80 } },
    });
    expect(hpa({ memoryUtilization: 90 }).spec.metrics?.[1].resource?.target).toEqual({ type: 'Utilization', averageUtilization: 90 });
  });

  it('is a share of the limit with memoryOfLimit, the base of the memory alerts: an AverageValue in whole MiB', async () => {
    const object = hpa({ memoryOfLimit: 70 });
    expect(object.spec.metrics?.[1]).toEqual({
      type: 'Resource',
      resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '1433Mi' } },
    });
    expect(hpa({ memoryOfLimit: 50 }, '1Gi').spec.metrics?.[1].resource?.target).toEqual({ type: 'AverageValue', averageValue: '512Mi' });
    expect(object.spec.metrics?.filter((m) => m.resource?.name === 'memory')).toHaveLength(1);
    expect(await modelProblems(object)).toEqual([]);
  });

  it("replaces the tier's target of the request in an environment file", () => {
    const prod = objectsAfter('prod', (d) => void (at(d, 'services', 'trading-api').autoscaling = { memoryOfLimit: 75 }));
    for (const colour of ['trading-api-blue', 'trading-api-green']) {
      expect(one(prod, 'HorizontalPodAutoscaler', colour).spec.metrics?.map((m) => m.resource?.target)).toEqual([
        { type: 'Utilization', averageUtilization: 70 },
        { type: 'AverageValue', averageValue: '1536Mi' },
      ]);
    }
  });
});

describe('the HPA on requests per second', () => {
  it('adds a Pods metric from the custom metrics API, with a target average per pod', async () => {
    const object = hpa({ requestsPerSecond: 100 });
    expect(object.spec.metrics?.[2]).toEqual({
      type: 'Pods',
      pods: { metric: { name: 'http_requests_per_second' }, target: { type: 'AverageValue', averageValue: '100' } },
    });
    expect(hpa({ requestsPerSecond: 40, requestsPerSecondMetric: 'api_requests_per_second' }).spec.metrics?.[2].pods?.metric.name).toBe(
      'api_requests_per_second',
    );
    expect(hpa({}).spec.metrics).toHaveLength(2);
    expect(await modelProblems(object)).toEqual([]);
  });

  it('comes from an environment file', () => {
    const prod = objectsAfter('prod', (d) => void (at(d, 'services', 'trading-api').autoscaling = { requestsPerSecond: 50 }));
    expect(one(prod, 'HorizontalPodAutoscaler', 'trading-api-blue').spec.metrics?.map((m) => m.type)).toEqual(['Resource', 'Resource', 'Pods']);
    expect(one(prod, 'HorizontalPodAutoscaler', 'trading-api-green').spec.metrics?.[2].pods?.target.averageValue).toBe('50');
  });

  it("is served by a Prometheus Adapter rule over the service's own request counter", () => {
    expect(prometheusAdapterRule()).toEqual({
      seriesQuery: 'http_requests_total{namespace!="",pod!=""}',
      resources: { overrides: { namespace: { resource: 'namespace' }, pod: { resource: 'pod' } } },
      name: { matches: '^http_requests_total$', as: 'http_requests_per_second' },
      metricsQuery: 'sum(rate(<<.Series>>{<<.LabelMatchers>>}[2m])) by (<<.GroupBy>>)',
    });
    const express = prometheusAdapterRule(HTTP_METRICS_PRESETS['express-prom-bundle'], 'api_requests_per_second');
    expect([express.seriesQuery, express.name]).toEqual([
      'http_request_duration_seconds_count{namespace!="",pod!=""}',
      { matches: '^http_request_duration_seconds_count$', as: 'api_requests_per_second' },
    ]);
  });
});

describe('bad targets are errors at their fields', () => {
  it('in props', () => {
    expect(errorOf(() => Scaling.autoscale({ memoryUtilization: 80, memoryOfLimit: 120, requestsPerSecond: 0 })).message).toBe(
      [
        '3 configuration problems:',
        '  - Scaling.autoscale: memoryOfLimit: 120 is out of range: use a whole number from 1 to 100',
        '  - Scaling.autoscale: memoryOfLimit: 120 is set with memoryUtilization 80: target memory either of the limit or of the request, not both',
        '  - Scaling.autoscale: requestsPerSecond: 0 is out of range: use a whole number from 1 to 1000000',
      ].join('\n'),
    );
    expect(errorOf(() => Scaling.autoscale({ requestsPerSecondMetric: 'http_requests_per_second' })).message).toBe(
      'Scaling.autoscale: requestsPerSecondMetric: "http_requests_per_second" names the metric of requestsPerSecond, which is not set: set it too',
    );
  });

  it('in environment files', () => {
    expect(
      problemsAfter('prod', (d) => {
        at(d, 'services', 'trading-api').autoscaling = {
          memoryUtilization: 60,
          memoryOfLimit: 70,
          requestsPerSecond: 10,
          requestsPerSecondMetric: 'requests/s',
        };
      }),
    ).toEqual([
      'environments/prod.yaml: services.trading-api.autoscaling.memoryOfLimit: 70 is set with memoryUtilization 60: target memory either of the limit or of the request, not both',
      'environments/prod.yaml: services.trading-api.autoscaling.requestsPerSecondMetric: "requests/s" is not a metric name: use letters, digits, "_" and ":", not starting with a digit',
    ]);
  });
});
