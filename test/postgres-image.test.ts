/**
 * The CloudNativePG image: a current `minimal`/`standard` image (made for the Barman Cloud plugin) pinned by tag and
 * digest, not the deprecated bare `MM.mm` tag of the bullseye `system` image; users pin their own with `image`, which
 * must name a tag or a digest in both doors.
 */
import { Construct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { environmentProblems } from '../src/config/build';
import { parseEnvironment } from '../src/config/environment';
import { checkImage } from '../src/core/value-rules';
import { CNPG_DEFAULT_IMAGE } from '../src/postgres/engines/cloud-native-pg';
import { PostgresCluster } from '../src/postgres/postgres-cluster';
import { PostgresEngine } from '../src/postgres/postgres-engine';
import { renderEnvironment } from '../src/synth/project';
import { TradingBackend } from '../src/trading-backend/trading-backend';
import { modelProblems } from './support/models';
import { errorOf, one, render } from './support/render';

const BACKUP = { destinationPath: 's3://acme-backups/prod/trading-db', credentialsSecret: 'trading-db-backup-s3' };
const withApi = (s: Construct, image?: string): void => {
  const db = new PostgresCluster(s, 'trading-db', { engine: PostgresEngine.cloudNativePg({ backup: BACKUP }), image });
  new TradingBackend(s, 'api', { image: 'ghcr.io/acme/api:1.4.2' }).connectTo(db);
};
const imageOf = (image?: string) =>
  one(
    render((s) => withApi(s, image)),
    'Cluster',
  ).spec.imageName;

describe('the CloudNativePG image', () => {
  it('defaults to a standard image on a supported Debian, pinned by build tag and digest', () => {
    const image = imageOf();
    expect(image).toBe(CNPG_DEFAULT_IMAGE);
    const [, tag, digest] = /^ghcr\.io\/cloudnative-pg\/postgresql:([^@]+)@(sha256:[a-f0-9]{64})$/.exec(image) ?? [];
    expect(digest).toBeDefined();
    // MM.mm-<build timestamp>-<type>-<os>: never the deprecated MM.mm / MM rolling tags of the bullseye system image.
    expect(tag).toMatch(/^17\.\d+-\d{12}-standard-trixie$/);
    expect(checkImage(image, false)).toBeUndefined();
  });

  it('takes the image a user pins, and is valid against the CRD', async () => {
    const objects = render((s) => withApi(s, 'ghcr.io/cloudnative-pg/postgresql:17.11-minimal-bookworm'));
    expect(one(objects, 'Cluster').spec.imageName).toBe('ghcr.io/cloudnative-pg/postgresql:17.11-minimal-bookworm');
    expect((await Promise.all(objects.map(modelProblems))).flat()).toEqual([]);
  });

  it('refuses an image without a tag or digest, naming the field', () => {
    expect(errorOf(() => imageOf('ghcr.io/cloudnative-pg/postgresql')).message).toBe(
      'PostgresCluster test/trading-db: image: "ghcr.io/cloudnative-pg/postgresql" has no tag: pin a version ("ghcr.io/cloudnative-pg/postgresql:1.2.3") or a digest; untagged images are allowed only in dev',
    );
  });

  const FILE = 'environments/staging.yaml';
  const file = (image: string) => `tier: staging
namespace: shop-staging
databases:
  trading-db:
    image: ${image}
    backup: { destinationPath: s3://acme/staging, credentialsSecret: s3 }
services:
  api: { image: ghcr.io/acme/api:1.4.2, database: trading-db }
`;

  it('is pinned in an environment file, where a bad value is named by field', () => {
    const parsed = parseEnvironment('staging', FILE, file('ghcr.io/cloudnative-pg/postgresql:17.11-standard-bookworm'));
    expect(parsed.problems).toEqual([]);
    const cluster = renderEnvironment(parsed.environment!).files.find((f) => f.path === '30-database/cluster-trading-db.yaml')?.content;
    expect(cluster).toContain('imageName: ghcr.io/cloudnative-pg/postgresql:17.11-standard-bookworm\n');
    expect(environmentProblems('staging', FILE, file('ghcr.io/cloudnative-pg/postgresql:latest'))).toEqual([
      `${FILE}: databases.trading-db.image: "ghcr.io/cloudnative-pg/postgresql:latest" uses the "latest" tag: pin a version or a digest; "latest" is allowed only in dev`,
    ]);
  });
});
