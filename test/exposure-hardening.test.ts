import { Duration } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { Exposure, GatewayExposureOptions, IngressExposureOptions } from '../src/api-service/exposure';
import { objectsAfter, problemsAfter } from './support/environment-edit';
import { productionLikeBackend } from './support/fixtures';
import { modelProblems } from './support/models';
import { all, errorOf, one, render } from './support/render';
import { at, JsonMap } from './support/yaml';

const GATEWAY = { gatewayName: 'public', gatewayNamespace: 'gateway-system', hosts: ['api.example.com'] };
const withGateway = (options: Partial<GatewayExposureOptions>) =>
  render((s) => productionLikeBackend(s, { exposure: Exposure.gateway({ ...GATEWAY, ...options }) }));
const withIngress = (options: Partial<IngressExposureOptions>) =>
  render((s) => productionLikeBackend(s, { exposure: Exposure.ingress({ hosts: ['api.example.com'], ...options }) }));
const REDIRECT = { listenerName: 'https', httpsRedirect: { listenerName: 'http' } };

describe('Gateway exposure: HTTP to HTTPS redirect', () => {
  it('is a second HTTPRoute on the plain-HTTP listener that redirects every request (301 to https), with no backends', async () => {
    const objects = withGateway(REDIRECT);
    const redirect = one(objects, 'HTTPRoute', 'trading-api-https-redirect');
    expect(redirect.spec.parentRefs).toEqual([
      { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'public', namespace: 'gateway-system', sectionName: 'http' },
    ]);
    expect(redirect.spec.hostnames).toEqual(['api.example.com']);
    expect(redirect.spec.rules).toEqual([
      {
        matches: [{ path: { type: 'PathPrefix', value: '/' } }],
        filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https', statusCode: 301 } }],
      },
    ]);
    // The application's route stays on the HTTPS listener only.
    expect(one(objects, 'HTTPRoute', 'trading-api').spec.parentRefs?.map((r) => r.sectionName)).toEqual(['https']);
    expect(await modelProblems(redirect)).toEqual([]);
  });

  it('is not emitted unless asked for', () => {
    expect(all(withGateway({ listenerName: 'https' }), 'HTTPRoute').map((r) => r.metadata.name)).toEqual(['trading-api']);
  });

  it('covers a blue-green preview host too, from an environment file', () => {
    const objects = objectsAfter('prod', (d) => {
      const gateway = at(d, 'services', 'trading-api', 'exposure', 'gateway');
      gateway.httpsRedirect = { listenerName: 'http' };
    });
    const redirects = all(objects, 'HTTPRoute').filter((r) => r.metadata.name.endsWith('-https-redirect'));
    expect(redirects.map((r) => [r.metadata.name, r.spec.hostnames, r.spec.parentRefs?.[0].sectionName])).toEqual([
      ['trading-api-https-redirect', ['api.trading.example.com'], 'http'],
      ['trading-api-preview-https-redirect', ['preview.api.trading.example.com'], 'http'],
      // prod's frontend sets its own.
      ['trading-web-https-redirect', ['trading.example.com'], 'http'],
    ]);
  });
});

describe('Gateway exposure: HSTS', () => {
  const header = (objects: ReturnType<typeof withGateway>, name = 'trading-api') => one(objects, 'HTTPRoute', name).spec.rules?.[0].filters;

  it('sets Strict-Transport-Security on every response of the route: a year by default', async () => {
    const objects = withGateway({ hsts: {} });
    expect(header(objects)).toEqual([
      { type: 'ResponseHeaderModifier', responseHeaderModifier: { set: [{ name: 'Strict-Transport-Security', value: 'max-age=31536000' }] } },
    ]);
    expect(await modelProblems(one(objects, 'HTTPRoute', 'trading-api'))).toEqual([]);
  });

  it('takes max-age and includeSubDomains', () => {
    const value = header(withGateway({ hsts: { maxAge: Duration.days(730), includeSubDomains: true } }))?.[0].responseHeaderModifier?.set?.[0].value;
    expect(value).toBe('max-age=63072000; includeSubDomains');
  });

  it('is not emitted unless asked for', () => {
    expect(header(withGateway({}))).toBeUndefined();
  });

  it("is on a blue-green service's main and preview routes, from an environment file", () => {
    const hsts = { maxAgeSeconds: 600, includeSubDomains: true };
    const prod = objectsAfter('prod', (d) => void (at(d, 'services', 'trading-api', 'exposure', 'gateway').hsts = hsts));
    for (const name of ['trading-api', 'trading-api-preview']) {
      expect(header(prod, name)?.[0].responseHeaderModifier?.set).toEqual([
        { name: 'Strict-Transport-Security', value: 'max-age=600; includeSubDomains' },
      ]);
    }
  });
});

it("the reference prod environment's public host is HTTPS only: redirected on the http listener, HSTS for a year", () => {
  const prod = objectsAfter('prod', () => undefined);
  expect(one(prod, 'HTTPRoute', 'trading-api-https-redirect').spec.parentRefs?.[0].sectionName).toBe('http');
  expect(one(prod, 'HTTPRoute', 'trading-api').spec.rules?.[0].filters?.[0].responseHeaderModifier?.set).toEqual([
    { name: 'Strict-Transport-Security', value: 'max-age=31536000' },
  ]);
});

describe('Ingress exposure: ingress-nginx rate limits', () => {
  const annotations = (options: Partial<IngressExposureOptions>) => one(withIngress(options), 'Ingress', 'trading-api').metadata.annotations ?? {};

  it('become limit-rps, limit-burst-multiplier and limit-connections annotations', () => {
    expect(annotations({ rateLimit: { requestsPerSecond: 20, burstMultiplier: 3, connections: 10 } })).toMatchObject({
      'nginx.ingress.kubernetes.io/limit-rps': '20',
      'nginx.ingress.kubernetes.io/limit-burst-multiplier': '3',
      'nginx.ingress.kubernetes.io/limit-connections': '10',
    });
    const rpsOnly = annotations({ rateLimit: { requestsPerSecond: 50 } });
    expect(Object.keys(rpsOnly).filter((k) => k.includes('limit-'))).toEqual(['nginx.ingress.kubernetes.io/limit-rps']);
  });

  it('are not emitted unless asked for', () => {
    expect(Object.keys(annotations({})).filter((k) => k.includes('limit-'))).toEqual([]);
  });

  it('come from an environment file', () => {
    const objects = objectsAfter('prod', (d) => {
      at(d, 'services', 'trading-api').exposure = { ingress: { hosts: ['api.trading.example.com'], rateLimit: { requestsPerSecond: 100 } } };
    });
    expect(one(objects, 'Ingress', 'trading-api').metadata.annotations?.['nginx.ingress.kubernetes.io/limit-rps']).toBe('100');
  });
});

describe('bad values are errors at their fields', () => {
  it('in props', () => {
    expect(errorOf(() => withGateway({ httpsRedirect: { listenerName: 'http' }, hsts: { maxAge: Duration.days(1000) } })).message).toBe(
      [
        '2 configuration problems:',
        "  - Exposure.gateway: listenerName: is required with httpsRedirect: name the Gateway's HTTPS listener, or the route attaches to the plain-HTTP listener too and serves it",
        '  - Exposure.gateway: hsts.maxAge: 24000h is out of range: use 0s to 17520h',
      ].join('\n'),
    );
    expect(errorOf(() => withGateway({ listenerName: 'https', httpsRedirect: { listenerName: 'https' } })).message).toBe(
      'Exposure.gateway: httpsRedirect.listenerName: "https" is also listenerName: name the Gateway\'s plain-HTTP listener here, and its HTTPS listener in listenerName',
    );
    expect(errorOf(() => withIngress({ rateLimit: { burstMultiplier: 3, connections: 0 } })).message).toBe(
      [
        '2 configuration problems:',
        '  - Exposure.ingress: rateLimit.connections: 0 is out of range: use a whole number from 1 to 100000',
        '  - Exposure.ingress: rateLimit.burstMultiplier: 3 multiplies requestsPerSecond, which is not set: set it too, or leave this out',
      ].join('\n'),
    );
    expect(errorOf(() => withIngress({ rateLimit: {} })).message).toBe(
      'Exposure.ingress: rateLimit: sets no limit: give requestsPerSecond and/or connections',
    );
  });

  it('in environment files', () => {
    const gateway = (d: JsonMap) => at(d, 'services', 'trading-api', 'exposure', 'gateway');
    expect(
      problemsAfter('prod', (d) => {
        gateway(d).httpsRedirect = { listenerName: 'HTTP_PLAIN' };
        gateway(d).hsts = { maxAgeSeconds: 100000000 };
      }),
    ).toEqual([
      'environments/prod.yaml: services.trading-api.exposure.gateway.httpsRedirect.listenerName: "HTTP_PLAIN" is not a valid name: use lower-case letters, digits, "-" and ".", at most 253 characters',
      'environments/prod.yaml: services.trading-api.exposure.gateway.hsts.maxAgeSeconds: 100000000 is out of range: use 0 to 63072000 seconds (17520h)',
    ]);
    expect(
      problemsAfter('prod', (d) => {
        at(d, 'services', 'trading-api').exposure = {
          ingress: { hosts: ['api.trading.example.com'], rateLimit: { requestsPerSecond: 0, burstMultiplier: 500 } },
        };
      }),
    ).toEqual([
      'environments/prod.yaml: services.trading-api.exposure.ingress.rateLimit.requestsPerSecond: 0 is out of range: use a whole number from 1 to 100000',
      'environments/prod.yaml: services.trading-api.exposure.ingress.rateLimit.burstMultiplier: 500 is out of range: use a whole number from 1 to 100',
    ]);
  });
});
