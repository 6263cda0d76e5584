/**
 * The cluster DNS every pod's egress allows: kube-dns in kube-system by default; other DNS pods or an address
 * block (NodeLocal DNSCache) through the `cdk8s-trading:dns` context or `dns:` in an environment file, on every
 * NetworkPolicy the library writes; bad values named by field in both doors.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { environmentProblems } from '../src/config/build';
import { parseEnvironment } from '../src/config/environment';
import { DNS_CONTEXT } from '../src/core/network-peer';
import { renderEnvironment } from '../src/synth/project';
import { TradingBackend } from '../src/trading-backend/trading-backend';
import { errorOf, render } from './support/render';

type Rule = { to: Array<Record<string, unknown>>; ports: Array<{ port: number }> };
const dnsPeers = (policies: Array<{ spec: { egress?: Rule[] } }>): string[] =>
  policies.flatMap((p) => (p.spec.egress ?? []).filter((r) => r.ports?.some((port) => port.port === 53)).map((r) => JSON.stringify(r.to)));

describe('cluster DNS egress', () => {
  it("allows kube-dns in kube-system by default, the context's DNS pods or address block otherwise", () => {
    const policies = (context?: unknown) =>
      render((s) => {
        if (context !== undefined) s.node.setContext(DNS_CONTEXT, context);
        new TradingBackend(s, 'api', { image: 'ghcr.io/acme/api:1.0.0' });
      }).filter((o) => o.kind === 'NetworkPolicy') as unknown as Array<{ spec: { egress?: Rule[] } }>;
    expect(dnsPeers(policies())).toEqual([
      JSON.stringify([
        {
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
          podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
        },
      ]),
    ]);
    expect(dnsPeers(policies({ namespace: 'openshift-dns', podLabels: { 'dns.operator.openshift.io/daemonset-dns': 'default' } }))).toEqual([
      JSON.stringify([
        {
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'openshift-dns' } },
          podSelector: { matchLabels: { 'dns.operator.openshift.io/daemonset-dns': 'default' } },
        },
      ]),
    ]);
    expect(dnsPeers(policies({ cidr: '169.254.20.10/32' }))).toEqual([JSON.stringify([{ ipBlock: { cidr: '169.254.20.10/32' } }])]);
    expect(errorOf(() => policies({ cidr: '169.254.20.10', namespace: 'kube-system' })).message).toContain(`context ${DNS_CONTEXT}: cidr:`);
  });

  const FILE = 'environments/prod.yaml';
  const prod = readFileSync(join(__dirname, '..', 'environments', 'prod.yaml'), 'utf8');

  it('follows dns: in an environment file on every NetworkPolicy of the environment', () => {
    const parsed = parseEnvironment('prod', FILE, `${prod}dns: { cidr: 169.254.20.10/32 }\n`);
    expect(parsed.problems).toEqual([]);
    const files = renderEnvironment(parsed.environment as NonNullable<typeof parsed.environment>).files.filter((f) =>
      f.path.includes('networkpolicy-'),
    );
    const withDns = files.filter((f) => f.content.includes('port: 53'));
    expect(withDns.length).toBeGreaterThan(3);
    for (const f of withDns) {
      expect(f.content, f.path).toContain('cidr: 169.254.20.10/32');
      expect(f.content, f.path).not.toContain('k8s-app: kube-dns');
    }
  });

  it('names the field of a bad value', () => {
    expect(environmentProblems('prod', FILE, `${prod}dns: { cidr: 169.254.20.10, podLabels: {} }\n`)).toEqual([
      `${FILE}: dns.cidr: "169.254.20.10" is not a CIDR block: use a value like "10.0.0.0/16" or "0.0.0.0/0"`,
      `${FILE}: dns.cidr: names an address block: namespace and podLabels do not apply with it`,
      `${FILE}: dns.podLabels: is empty: it would select every pod of the namespace; name the DNS pods' labels`,
    ]);
  });
});
