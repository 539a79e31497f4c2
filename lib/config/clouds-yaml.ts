import { parseDocument } from 'yaml';
import { z } from 'zod';

import { errorMap, optional, text } from './fields.ts';
import { Findings, formatPath } from './problems.ts';
import { documentData, yamlErrorReason } from './yaml-data.ts';

/**
 * A provider's `cloud: NAME` (nodepool 0.2.0, via os-client-config) names an entry of an
 * OpenStack `clouds.yaml`:
 *
 *     clouds:
 *       NAME:
 *         region_name: RegionOne
 *         auth:
 *           auth_url: https://keystone.example.org:5000/v3
 *           username: nodepool
 *           password: PASS
 *           project_name: ci            # or project_id
 *           user_domain_name: Default
 *           project_domain_name: Default
 *
 * Only these keys are read; clouds.yaml carries many more (interfaces, cacert, ...) that are
 * not whiskpool's business, so they are passed over without warnings.
 */
export interface CloudEntry {
  authUrl?: string;
  username?: string;
  password?: string;
  projectName?: string;
  projectId?: string;
  userDomainName?: string;
  projectDomainName?: string;
  regionName?: string;
}

export interface CloudsYaml {
  source: string;
  clouds: Map<string, CloudEntry>;
}

const auth = z
  .object({
    auth_url: optional(text),
    username: optional(text),
    password: optional(text),
    project_name: optional(text),
    project_id: optional(text),
    user_domain_name: optional(text),
    project_domain_name: optional(text),
  })
  .passthrough();

const cloud = z.object({ auth: optional(auth), region_name: optional(text) }).passthrough();

const cloudsFile = z.object({ clouds: z.record(cloud) }).passthrough();

/** Reads clouds.yaml text; problems are prefixed with `source`. */
export function readCloudsYaml(text: string, source: string, findings: Findings): CloudsYaml {
  const result: CloudsYaml = { source, clouds: new Map() };

  const document = parseDocument(text);
  if (document.errors.length > 0) {
    for (const error of document.errors) {
      const position = error.linePos?.[0];
      const where = position ? `${source}:${position.line}:${position.col}` : source;
      findings.problem(where, yamlErrorReason(error, firstLine));
    }
    return result;
  }

  const read = documentData(document);
  if ('refused' in read) {
    findings.problem(source, read.refused);
    return result;
  }

  const parsed = cloudsFile.safeParse(read.data, { errorMap });
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      findings.problem(`${source} ${formatPath(issue.path)}`, issue.message);
    }
    return result;
  }

  for (const [name, entry] of Object.entries(parsed.data.clouds)) {
    result.clouds.set(name, {
      authUrl: entry.auth?.auth_url,
      username: entry.auth?.username,
      password: entry.auth?.password,
      projectName: entry.auth?.project_name,
      projectId: entry.auth?.project_id,
      userDomainName: entry.auth?.user_domain_name,
      projectDomainName: entry.auth?.project_domain_name,
      regionName: entry.region_name,
    });
  }
  return result;
}

/** The yaml library appends the offending source line; that line may hold a secret. */
export function firstLine(message: string): string {
  return message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '') ?? message;
}
