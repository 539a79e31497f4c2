import { parseIni } from './ini.ts';
import { Findings } from './problems.ts';

/**
 * Nodepool 0.2.0 (2015-10) moved secrets out of nodepool.yaml into an INI file, by default
 * `/etc/nodepool/secure.conf`:
 *
 *     [database]
 *     dburi = mysql+pymysql://nodepool:PASS@localhost/nodepool
 *
 *     [jenkins "jenkins01"]
 *     url = https://jenkins01.example.org/
 *     user = nodepool
 *     apikey = API_TOKEN
 *     credentials = CREDENTIALS_ID
 *
 * A `[jenkins "NAME"]` section fills in target NAME's Jenkins connection.
 */
export interface SecureConf {
  source: string;
  dburi?: string;
  jenkins: Map<string, SecureJenkins>;
}

export interface SecureJenkins {
  url?: string;
  user?: string;
  apikey?: string;
  credentials?: string;
}

const JENKINS_SECTION = /^jenkins\s+"([^"]+)"$/;
const JENKINS_KEYS = ['url', 'user', 'apikey', 'credentials'] as const;

/** Reads secure.conf text; problems and warnings are prefixed with `source`. */
export function readSecureConf(text: string, source: string, findings: Findings): SecureConf {
  const ini = parseIni(text);
  for (const { line, reason } of ini.problems) findings.problem(`${source}:${line}`, reason);

  const secure: SecureConf = { source, jenkins: new Map() };

  for (const section of ini.sections.values()) {
    const where = `${source} [${section.name}]`;

    if (section.name === 'database') {
      for (const key of section.values.keys()) {
        if (key !== 'dburi') findings.warn(`${where} ${key}`, 'unknown key, ignored');
      }
      const dburi = section.values.get('dburi');
      if (dburi !== undefined && dburi !== '') secure.dburi = dburi;
      continue;
    }

    const name = JENKINS_SECTION.exec(section.name)?.[1];
    if (name === undefined) {
      findings.warn(where, 'unknown section, ignored');
      continue;
    }

    const entry: SecureJenkins = {};
    for (const [key, value] of section.values) {
      if (!(JENKINS_KEYS as readonly string[]).includes(key)) {
        findings.warn(`${where} ${key}`, 'unknown key, ignored');
      } else if (value !== '') {
        entry[key as (typeof JENKINS_KEYS)[number]] = value;
      }
    }
    secure.jenkins.set(name, entry);
  }

  return secure;
}
