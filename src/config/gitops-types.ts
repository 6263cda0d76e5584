/**
 * The shape of `environments/gitops.yaml`. Generated from the JSON Schema by scripts/config-types.cjs: edit the schema
 * and run it.
 */

/** Where dist/ lives in Git and which GitOps objects to generate into dist/gitops/. */
export interface GitOpsConfig {
  /** Git URL of the repository that holds dist/. */
  repository: string;
  /** Branch to follow. Default: main. */
  revision?: string;
  /** Folder of dist/ in the repository. Default: dist. */
  path?: string;
  /** Argo CD AppProject / Flux GitRepository name. Default: the repository's name. */
  project?: string;
  /** Generate an AppProject and one Application per environment into dist/gitops/argocd. */
  argocd?: {
    namespace?: string;
    destinationServer?: string;
  };
  /** Generate a GitRepository and staged Kustomizations per environment into dist/gitops/flux. */
  flux?: {
    namespace?: string;
    interval?: string;
    timeout?: string;
    /**
     * Secret in Flux's namespace with the credentials of a private repository (username/password, or
     * identity/known_hosts for SSH): the GitRepository's secretRef. Default: none (a public repository).
     */
    credentialsSecret?: string;
  };
}
