import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { parseConfig, REDACTED, redactConfig } from '../../../lib/config/index.ts';
import { baseConfig, toYaml } from './base-config.ts';

/** One secret from every place a secret can come from. */
const SECRETS = {
  yamlPassword: 'yaml-password-7f3a',
  cloudsPassword: 'clouds-password-91bc',
  envPassword: 'env-password-c0de',
  secureApikey: 'secure-apikey-5e11',
  envApikey: 'env-apikey-ab12',
  yamlApikey: 'yaml-apikey-77aa',
  databasePassword: 'db-password-%40x',
};

function configWithEverySecret() {
  const yaml = baseConfig();
  yaml.providers[0].password = SECRETS.yamlPassword;
  yaml.providers[1].password = 'overridden-by-env';
  yaml.providers.push({
    name: 'cloud-c',
    cloud: 'c',
    'max-servers': 1,
    images: [{ name: 'trusty', 'base-image': 'Ubuntu', 'min-ram': 1 }],
  });
  yaml.targets[0].jenkins.apikey = SECRETS.yamlApikey;
  yaml.targets.push(
    { name: 'jenkins02' },
    { name: 'jenkins03', jenkins: { url: 'https://j3.example.org/', user: 'u' } },
  );

  return parseConfig(toYaml(yaml), 'nodepool.yaml', {
    env: {
      WHISKPOOL_PROVIDER_CLOUD_B_PASSWORD: SECRETS.envPassword,
      WHISKPOOL_TARGET_JENKINS03_APIKEY: SECRETS.envApikey,
      WHISKPOOL_DATABASE_URL: `mysql://nodepool:${SECRETS.databasePassword}@db.example.org/np`,
    },
    secureConf: {
      text:
        '[jenkins "jenkins02"]\nurl = https://j2.example.org/\nuser = u\n' +
        `apikey = ${SECRETS.secureApikey}\n`,
      source: 'secure.conf',
    },
    cloudsYaml: {
      text:
        'clouds:\n  c:\n    auth:\n      auth_url: https://c.example.org/v3\n' +
        `      username: u\n      password: ${SECRETS.cloudsPassword}\n      project_name: p\n`,
      source: 'clouds.yaml',
    },
  }).config;
}

describe('redactConfig', () => {
  const config = configWithEverySecret();
  const decodedDbPassword = decodeURIComponent(SECRETS.databasePassword);
  const secrets = [...Object.values(SECRETS), decodedDbPassword];

  test('the loaded config does hold every secret', () => {
    const text = JSON.stringify(config);
    for (const secret of secrets.filter((s) => s !== SECRETS.databasePassword)) {
      assert.ok(text.includes(secret), `${secret} missing before redaction`);
    }
  });

  test('the redacted copy holds none of them', () => {
    const text = JSON.stringify(redactConfig(config));
    for (const secret of secrets) assert.ok(!text.includes(secret), `${secret} leaked`);
  });

  test('secrets are replaced by a marker and the rest is kept', () => {
    const redacted = redactConfig(config);

    assert.deepEqual(
      redacted.providers.map((provider) => provider.auth.password),
      [REDACTED, REDACTED, REDACTED],
    );
    assert.deepEqual(
      redacted.targets.map((target) => target.jenkins?.apikey),
      [REDACTED, REDACTED, REDACTED],
    );
    assert.equal(redacted.database?.dialect === 'mysql' && redacted.database.password, REDACTED);
    assert.equal(redacted.providers[2]?.auth.username, 'u');
    assert.equal(redacted.targets[0]?.jenkins?.url, 'https://jenkins01.example.org/');
  });

  test('the original is left untouched', () => {
    redactConfig(config);
    assert.equal(config.providers[0]?.auth.password, SECRETS.yamlPassword);
  });
});
