/**
 * What a credential looks like inside any text: the one predicate behind every rule that keeps credentials out of
 * messages and out of dist/. Only strong signs count, so names, paths and URLs that merely resemble one pass.
 */

/** Tokens of well-known services, by their prefix and length (an AWS key id, a GitHub or GitLab token, a Slack bot token, a JWT). */
const TOKEN = new RegExp(
  `(?:^|[^A-Za-z0-9_])(?:${[
    'xox[abprs]-[A-Za-z0-9-]{10,}',
    'gh[pousr]_[A-Za-z0-9]{30,}',
    'github_pat_[A-Za-z0-9_]{30,}',
    'glpat-[A-Za-z0-9_-]{20,}',
    '[sr]k_live_[A-Za-z0-9]{16,}',
    'sk-[A-Za-z0-9_-]{32,}',
    '(?:AKIA|ASIA)[0-9A-Z]{16}(?![0-9A-Z])',
    'eyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,}',
  ].join('|')})`,
);

/** A Slack incoming webhook: the URL is the credential. */
const SLACK_WEBHOOK = /hooks\.slack\.com\/(services|workflows)\//i;

/** A URL inside a longer text (a command line, a ConfigMap value). */
const URL_IN_TEXT = /[a-z][a-z0-9+.-]*:\/\/[^\s"'<>`]+/gi;

/** Query parameters that carry a credential, with the shortest value taken for one. */
const QUERY_CREDENTIALS = new Map<string, number>([
  ['access_token', 4],
  ['accesstoken', 4],
  ['token', 4],
  ['private_token', 4],
  ['api_key', 4],
  ['apikey', 4],
  ['password', 1],
  ['passwd', 1],
  ['pwd', 1],
  ['secret', 4],
  ['client_secret', 4],
  ['sig', 16],
  ['signature', 16],
  ['x-amz-signature', 16],
  ['x-amz-credential', 16],
  ['x-goog-signature', 16],
]);

/** Variables a shell, the kubelet (`$(VAR)`) or a template (`${VAR}`) fills in: not credentials themselves. */
const VARIABLE = /\$\([A-Za-z_][A-Za-z0-9_]*\)|\$\{[A-Za-z_][A-Za-z0-9_]*\}|\$[A-Za-z_][A-Za-z0-9_]*/g;

/** Whether a URL carries a credential: a password (or a token) before "@", or one in its query (not its fragment). */
export function urlHoldsCredential(url: string): boolean {
  const bare = url.replace(VARIABLE, '');
  const userinfo = /^[a-z][a-z0-9+.-]*:\/\/([^/?#@\s]*)@/i.exec(bare)?.[1];
  if (userinfo !== undefined && (/:./.test(userinfo) || TOKEN.test(userinfo) || /^[A-Za-z0-9_-]{32,}$/.test(userinfo))) return true;
  const query = /\?([^#]*)/.exec(bare)?.[1] ?? '';
  for (const pair of query.split(/[&;]/)) {
    const [name, value = ''] = pair.split('=');
    const least = QUERY_CREDENTIALS.get(name.toLowerCase().replace(/-/g, '_')) ?? QUERY_CREDENTIALS.get(name.toLowerCase());
    if (least !== undefined && value.length >= least) return true;
  }
  return SLACK_WEBHOOK.test(bare);
}

/**
 * Whether `text` is or holds a credential: a well-known token (anywhere in it, as in `--token=ghp_…`), a Slack
 * webhook, or a URL with a password or a query token. `$(VAR)`, `${VAR}` and `$VAR` references are not.
 */
export function holdsCredential(text: string): boolean {
  // Every string of every object passes here: the common short value and the text without a URL are answered
  // without the scans they cannot match (the shortest credential, a password in `a://:b@`, has 7 characters).
  if (text.length < 7) return false;
  if (TOKEN.test(text) || SLACK_WEBHOOK.test(text)) return true;
  return text.includes('://') && (text.match(URL_IN_TEXT) ?? []).some(urlHoldsCredential);
}

/** `field` (`config.LOG_LEVEL`) with each key that is or holds a credential shown as `(a key not shown here)`. */
export function withoutCredentialKeys(field: string): string {
  if (!holdsCredential(field)) return field;
  return field
    .split('.')
    .map((k) => (holdsCredential(k) ? '(a key not shown here)' : k))
    .join('.');
}

/** Whether `text` is a well-known token from its start (`ghp_…`, `AKIA…`). */
export function isToken(text: string): boolean {
  const m = TOKEN.exec(text);
  return m !== null && m.index === 0;
}
