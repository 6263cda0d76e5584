import { ApiObject } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { ManifestView } from './manifest-view';
import { checkPolicies, PolicyOptions, unusedWaivers } from './policies';

/** Props of PolicyGate. */
export interface PolicyGateProps extends PolicyOptions {}

/**
 * The policy rules as a construct-tree validation: added to a chart, it makes the chart's synthesis
 * fail on every unwaived finding (Pod Security Standards "restricted", probes, resources, pinned images,
 * PDBs, spread, NetworkPolicy coverage, selectors, no Secret data) and on waivers that accept nothing.
 * It checks the objects as rendered, so a JSON patch that makes a container privileged is caught too.
 *
 * A plain cdk8s `App` runs it in `app.synth()`; `GitOpsApp` adds one to every chart that has none.
 *
 * @example
 * new PolicyGate(chart, 'PolicyGate', {
 *   waivers: [{ rule: 'network-policy-coverage', object: 'Deployment/api', reason: 'a service mesh enforces traffic policy here' }],
 * });
 */
export class PolicyGate extends Construct {
  /** The gate of `scope`'s chart (a direct child of the scope), if it has one. */
  public static of(scope: IConstruct): PolicyGate | undefined {
    return scope.node.children.find((c): c is PolicyGate => c instanceof PolicyGate);
  }

  /** The rules' options. */
  public readonly options: PolicyOptions;

  constructor(scope: Construct, id: string, props: PolicyGateProps = {}) {
    super(scope, id);
    this.options = { allowLatestTag: props.allowLatestTag, waivers: props.waivers };
    this.node.addValidation({ validate: () => this.check(renderedObjects(scope)) });
  }

  /** The problems of already rendered objects (see `policyProblems`). */
  public check(manifests: readonly object[]): string[] {
    return policyProblems(manifests, this.options);
  }
}

/** Unwaived policy findings and waivers that accept nothing, one line each. */
export function policyProblems(manifests: readonly object[], options: PolicyOptions = {}): string[] {
  const waivers = options.waivers ?? [];
  const findings = checkPolicies(manifests as readonly ManifestView[], options);
  return [
    ...findings.filter((f) => !f.waiver).map((f) => `policy ${f.rule}: ${f.object}: ${f.message}`),
    ...unusedWaivers(findings, waivers).map((w) => `waivers: ${w.rule} for ${w.object} accepts nothing; remove it`),
  ];
}

function renderedObjects(scope: IConstruct): object[] {
  return scope.node
    .findAll()
    .filter((c): c is ApiObject => c instanceof ApiObject)
    .map((o) => o.toJson() as object);
}
