import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The real-world nodepool.yaml samples in ../shared/data, rendered so they can be parsed. */

const DATA = new URL('../../../../shared/data/', import.meta.url);

export const V2_DIR = fileURLToPath(new URL('nodepool-v2/', DATA));
export const V3_DIR = fileURLToPath(new URL('nodepool-v3/', DATA));

export function sampleFiles(dir: string): string[] {
  return readdirSync(dir).sort();
}

/**
 * Python format fields that nodepool's test fixtures fill in at run time. Host name templates
 * such as `{node_id}` are config values and must stay as they are, so only these are replaced.
 */
const FIXTURE_FIELDS: Record<string, string> = {
  images_dir: '/tmp/whiskpool-test-images',
  build_log_dir: '/tmp/whiskpool-test-build-logs',
  gearman_port: '4730',
  zookeeper_host: 'localhost',
  zookeeper_port: '2181',
  zookeeper_chroot: '/nodepool-test',
};

/**
 * Puppet templates hold `<%= @name -%>` where secrets and site values go. Each becomes a
 * placeholder derived from the variable name; URLs get a URL so that they validate.
 */
export function renderSample(text: string): string {
  const erb = text.replace(/<%=\s*@?([A-Za-z_]+)\s*-?%>/g, (_match, name: string) =>
    name.includes('url') ? 'https://keystone.example.org:5000/v2.0/' : `placeholder-${name}`,
  );
  return erb.replace(/\{([a-z_]+)\}/g, (match, name: string) => FIXTURE_FIELDS[name] ?? match);
}

export function readSample(dir: string, file: string): string {
  return renderSample(readFileSync(`${dir}${file}`, 'utf8'));
}
