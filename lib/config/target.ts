import { compact, firstGiven } from './values.ts';
import { readVariable, targetApikeyVariable } from './env-secrets.ts';
import { isHttpUrl } from './fields.ts';
import type { SecretSources } from './normalize.ts';
import { describeValue, type Findings, type KeyPath } from './problems.ts';
import type { RawTarget } from './schema.ts';
import type { JenkinsConfig, TargetConfig } from './types.ts';

/** A target, its Jenkins connection merged from nodepool.yaml, secure.conf and environment. */
export function resolveTarget(
  raw: RawTarget,
  path: KeyPath,
  sources: SecretSources,
  findings: Findings,
): TargetConfig {
  const target: TargetConfig = {
    name: raw.name,
    rate: raw.rate,
    hostname: raw.hostname,
    subnodeHostname: raw['subnode-hostname'],
  };

  const jenkins = resolveJenkins(raw, path, sources, findings);
  return jenkins === undefined ? target : { ...target, jenkins };
}

function resolveJenkins(
  raw: RawTarget,
  path: KeyPath,
  sources: SecretSources,
  findings: Findings,
): JenkinsConfig | undefined {
  const secure = sources.secureConf?.jenkins.get(raw.name);
  const secureWhere = `${sources.secureConf?.source} [jenkins "${raw.name}"]`;
  const jenkinsPath = [...path, 'jenkins'];
  const variable = targetApikeyVariable(raw.name);
  const envApikey = readVariable(sources.env, variable);

  if (secure?.url !== undefined && !isHttpUrl(secure.url)) {
    const got = describeValue(secure.url, ['url']);
    findings.problem(`${secureWhere} url`, `must be a URL like https://host/path, got ${got}`);
  }

  const url = secure?.url ?? raw.jenkins?.url;
  const user = secure?.user ?? raw.jenkins?.user;
  const apikey = firstGiven([
    ['environment', envApikey],
    ['secure.conf', secure?.apikey],
    ['nodepool.yaml', raw.jenkins?.apikey],
  ]);
  const credentialsId = secure?.credentials ?? raw.jenkins?.['credentials-id'];
  const testJob = raw.jenkins?.['test-job'];

  if (url === undefined) {
    if (user !== undefined || (apikey !== undefined && apikey.from !== 'environment')) {
      findings.problem([...jenkinsPath, 'url'], 'is required when jenkins user or apikey is set');
    }
    if (envApikey !== undefined) {
      findings.warn([...jenkinsPath, 'url'], `not set, so ${variable} is ignored`);
    }
    if (testJob !== undefined) {
      findings.warn([...jenkinsPath, 'test-job'], 'ignored: the target has no Jenkins url');
    }
    return undefined;
  }

  if (user === undefined) {
    findings.problem([...jenkinsPath, 'user'], 'is required when jenkins url is set');
  }
  if (apikey === undefined) {
    findings.problem(
      [...jenkinsPath, 'apikey'],
      `is required when jenkins url is set (or set ${variable})`,
    );
  }

  return compact({
    url,
    user: user ?? '',
    apikey: apikey?.value ?? '',
    credentialsId,
    testJob,
    apikeyFrom: apikey?.from ?? 'nodepool.yaml',
  });
}
