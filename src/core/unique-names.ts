import { ApiObject, Chart } from 'cdk8s';
import { IConstruct } from 'constructs';

const guarded = new WeakSet<Chart>();

/**
 * Makes the chart fail validation when two objects share kind, namespace and name: the second one
 * would silently overwrite the first in the cluster and in a GitOps repo. Registered once per chart
 * and checked in one pass, so large apps stay linear.
 */
export function requireUniqueObjectNames(scope: IConstruct): void {
  const chart = Chart.of(scope);
  if (guarded.has(chart)) {
    return;
  }
  guarded.add(chart);
  chart.node.addValidation({
    validate: () => {
      const owners = new Map<string, ApiObject>();
      const errors: string[] = [];
      for (const child of chart.node.findAll()) {
        if (!(child instanceof ApiObject)) continue;
        const key = `${child.apiGroup}/${child.kind}/${child.metadata.namespace ?? ''}/${child.name}`;
        const first = owners.get(key);
        if (first) {
          errors.push(
            `${child.node.scope?.node.path}: name: ${JSON.stringify(child.name)} is already used by ${first.node.scope?.node.path} ` +
              `(${child.kind}/${child.name}): names must be unique per kind and namespace`,
          );
        } else {
          owners.set(key, child);
        }
      }
      return errors;
    },
  });
}
