import { describe, expect, it } from 'vitest';
import { holdsCredential, isToken, urlHoldsCredential } from '../src/core/credential-shape';

describe('what a credential looks like', () => {
  it('finds the shortest of each shape, and passes what is one character short of it', () => {
    // A password in a URL's userinfo: the shortest credential there is.
    expect(holdsCredential('a://:b@')).toBe(true);
    expect(holdsCredential('a://:@h')).toBe(false);
    expect(holdsCredential('a://?pwd=x')).toBe(true);
    expect(holdsCredential('see a://h/?access_token=abcd and more')).toBe(true);
    expect(holdsCredential('a://h/?access_token=abc')).toBe(false);
    expect(holdsCredential(`xoxb-${'a'.repeat(10)}`)).toBe(true);
    expect(holdsCredential(`xoxb-${'a'.repeat(9)}`)).toBe(false);
    expect(holdsCredential('--key=AKIAIOSFODNN7EXAMPLE')).toBe(true);
    expect(holdsCredential('https://hooks.slack.com/services/T0/B0/x')).toBe(true);
  });

  it('passes variables, fragments and names', () => {
    expect(holdsCredential('postgresql://$(PGUSER):$(PGPASSWORD)@db:5432/trading')).toBe(false);
    expect(holdsCredential('https://grafana.example.com/d/abc#token=abcdef')).toBe(false);
    expect(holdsCredential('trading-api-secrets')).toBe(false);
    expect(urlHoldsCredential('ssh://git@github.com/acme/deploy.git')).toBe(false);
    expect(isToken(`ghp_${'a'.repeat(36)}`)).toBe(true);
    expect(isToken(`--token=ghp_${'a'.repeat(36)}`)).toBe(false);
  });
});
