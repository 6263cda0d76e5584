/**
 * Whose runbooks a team's alerts link to. Every alert carries a `runbook_url`; its default base is this library's
 * own `docs/runbooks.md`, right for this repository and wrong for another team's alerts, which would page their
 * on-call engineers with someone else's procedures. `init` writes a placeholder for the team's own address instead;
 * `validate` warns while an environment still has either (a warning: the alerts work, they link to the wrong place).
 */
import { show } from '../core/problems';
import { DEFAULT_RUNBOOK_BASE_URL } from '../monitoring/settings';
import type { Environment } from './environment';

/** The runbook address `init` writes into every environment file, for the team to replace with its own. */
export const PLACEHOLDER_RUNBOOK_BASE_URL = 'https://runbooks.example.com/your-team/';

/** One line per environment whose alerts link to this library's runbooks or to init's placeholder. */
export function runbookLinkWarnings(environments: readonly Environment[]): string[] {
  return environments.flatMap((e) => {
    const given = e.config.monitoring?.runbookBaseUrl;
    const base = given ?? DEFAULT_RUNBOOK_BASE_URL;
    const field = `${e.file}: monitoring.runbookBaseUrl`;
    const own = "set it to your team's runbooks (cdk8s-trading's docs/runbooks.md has a section per alert to start from)";
    if (base === DEFAULT_RUNBOOK_BASE_URL) {
      return [
        `${field}: ${given === undefined ? 'not set, so' : `${show(given)}:`} the alerts link to cdk8s-trading's own runbooks (${DEFAULT_RUNBOOK_BASE_URL}); ${own}`,
      ];
    }
    if (base === PLACEHOLDER_RUNBOOK_BASE_URL) return [`${field}: ${show(base)} is init's placeholder; ${own}`];
    return [];
  });
}
