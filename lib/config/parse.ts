import { parseDocument, type YAMLError } from 'yaml';

import { type CloudsYaml, firstLine, readCloudsYaml } from './clouds-yaml.ts';
import type { Environment } from './env-secrets.ts';
import { errorMap } from './fields.ts';
import { FORMAT_REFUSAL, zuulV3Signs } from './format.ts';
import { normalizeConfig } from './normalize.ts';
import { ConfigInvalidError, Findings, type KeyPath } from './problems.ts';
import { checkReferences } from './references.ts';
import { nodepoolYamlSchema } from './schema.ts';
import { readSecureConf, type SecureConf } from './secure-conf.ts';
import type { LoadedConfig, PoolConfig } from './types.ts';
import { findUnknownKeys } from './unknown-keys.ts';
import { documentData, yamlErrorReason } from './yaml-data.ts';

/** The text of a companion file and the name to use for it in messages. */
export interface SourceText {
  text: string;
  source: string;
}

export interface ParseOptions {
  /** Variables to read secrets from; none are read when absent. */
  env?: Environment;
  secureConf?: SourceText;
  cloudsYaml?: SourceText;
}

/**
 * Reads a nodepool.yaml of the 2015 format into a PoolConfig with every default filled in.
 * Throws ConfigInvalidError listing every problem found; returns the warnings (unknown keys,
 * ignored values) beside the config.
 *
 * @example
 *   const { config, warnings } = parseConfig(text, '/etc/nodepool/nodepool.yaml');
 *   config.providers[0].maxServers; // e.g. 20
 */
export function parseConfig(
  text: string,
  source: string,
  options: ParseOptions = {},
): LoadedConfig {
  const findings = new Findings();
  const data = readYaml(text, findings);
  findings.throwIfAny(source);

  const signs = zuulV3Signs(data);
  if (signs.length > 0) throw new ConfigInvalidError(source, [`${signs[0]}: ${FORMAT_REFUSAL}`]);

  findUnrenderedTemplates(data, [], findings);
  for (const path of findUnknownKeys(nodepoolYamlSchema, data)) {
    findings.warn(path, 'unknown key, ignored');
  }

  const parsed = nodepoolYamlSchema.safeParse(data, { errorMap });
  if (!parsed.success) {
    for (const issue of parsed.error.issues) findings.problem(issue.path, issue.message);
    findings.throwIfAny(source);
    throw new ConfigInvalidError(source, ['(top level): not a valid configuration']);
  }

  const secureConf = readCompanion(options.secureConf, readSecureConf, findings);
  const cloudsYaml = readCompanion(options.cloudsYaml, readCloudsYaml, findings);
  const env = options.env ?? {};
  const config = normalizeConfig(parsed.data, source, { env, secureConf, cloudsYaml }, findings);

  checkReferences(config, findings);
  if (secureConf !== undefined) warnStrayJenkinsSections(secureConf, config, findings);
  findings.throwIfAny(source);

  return { config, warnings: findings.warnings };
}

function readYaml(text: string, findings: Findings): Record<string, unknown> {
  const strict = parseDocument(text);
  let failed = false;

  // PyYAML let a repeated key silently replace the earlier one, and real files have them.
  for (const error of strict.errors) {
    if (error.code === 'DUPLICATE_KEY') {
      findings.warn(position(error), 'duplicate key; the last one wins, as it did in nodepool');
    } else {
      findings.problem(position(error), yamlErrorReason(error, firstLine));
      failed = true;
    }
  }
  if (failed) return {};

  for (const warning of strict.warnings) {
    findings.warn(position(warning), firstLine(warning.message));
  }

  const document = strict.errors.length > 0 ? parseDocument(text, { uniqueKeys: false }) : strict;
  const read = documentData(document);
  if ('refused' in read) {
    findings.problem([], read.refused);
    return {};
  }
  const { data } = read;
  if (data === null || data === undefined) {
    findings.problem([], 'the file is empty');
    return {};
  }
  if (typeof data !== 'object' || Array.isArray(data)) {
    findings.problem([], 'must be a mapping of keys such as providers, labels and targets');
    return {};
  }
  return data as Record<string, unknown>;
}

/** Puppet templates (`<%= @password %>`) must be rendered before whiskpool can read them. */
function findUnrenderedTemplates(value: unknown, path: KeyPath, findings: Findings): void {
  if (typeof value === 'string') {
    if (value.includes('<%')) {
      findings.problem(path, 'contains an unrendered ERB tag "<%"; render the template first');
    }
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, index) => findUnrenderedTemplates(item, [...path, index], findings));
    return;
  }
  if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      findUnrenderedTemplates(item, [...path, key], findings);
    }
  }
}

function readCompanion<T extends SecureConf | CloudsYaml>(
  companion: SourceText | undefined,
  read: (text: string, source: string, findings: Findings) => T,
  findings: Findings,
): T | undefined {
  return companion === undefined ? undefined : read(companion.text, companion.source, findings);
}

function warnStrayJenkinsSections(
  secure: SecureConf,
  config: PoolConfig,
  findings: Findings,
): void {
  const targets = new Set(config.targets.map((target) => target.name));
  for (const name of secure.jenkins.keys()) {
    if (!targets.has(name)) {
      findings.warn(`${secure.source} [jenkins "${name}"]`, `no target named "${name}", ignored`);
    }
  }
}

function position(error: YAMLError): string {
  const start = error.linePos?.[0];
  return start ? `line ${start.line}, column ${start.col}` : '(top level)';
}
