// cdk8s-trading/toolkit: what the `cdk8s-trading` CLI is built of, for tools that load, render, write,
// validate or compare a project of environment files themselves (a code-first GitOpsApp fed from the files,
// a custom CI step). A construct user needs only the root export. api/cdk8s-trading-toolkit.api.md is the
// reviewed report of this list (`npm run api`). The types its signatures use that a construct user has too
// (Environment, PolicyOptions, ...) are the root export's: import them from `cdk8s-trading`.

// Environment files: parse, load a project, build its constructs
export { ParsedEnvironment, parseEnvironment } from './config/environment';
export { buildEnvironment } from './config/build';
export { GitOpsConfig, parseGitOps } from './config/gitops-config';
export { CacheTierDefaults, DatabaseTierDefaults, TIER_DEFAULTS, TierDefaults } from './config/tiers';
export {
  ENVIRONMENTS_DIR,
  loadProject,
  ProjectConfig,
  renderEnvironment,
  synthesizeProject,
  SynthesizeOptions,
  SynthesizeResult,
} from './synth/project';

// Render and write
export { renderChart } from './synth/render';
export { WriteError } from './synth/write';
export { APPLY_STAGES, ApplyStageSpec, HookPhase } from './gitops/sync-waves';

// Check what was written
export { TreeValidation, validateTree, ValidateTreeOptions } from './synth/validate-tree';
export { checkPolicies } from './policy/policies';
export { ContainerView, LimitRangeItemView, ManifestView, PodSpecView, SecurityContextView, SelectorView } from './policy/manifest-view';

// Field paths of messages (`api.replicas` in a file, `props.replicas` in code)
export { FieldPath, FieldSpelling } from './core/field-path';
