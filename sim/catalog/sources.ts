import { readFileSync } from 'node:fs';

/** The 2015 Wikimedia CI files the catalog is derived from, kept in the shared data folder. */
const DATA = new URL('../../../shared/data/', import.meta.url);

export const WIKIMEDIA_SOURCES = {
  zuulLayout: 'zuul-v2/wikimedia_integration-config_2015-12_zuul_layout.yaml',
  jjbJobs: 'zuul-v2/wikimedia_integration-config_2015-12_jjb_python-jobs.yaml',
  nodepool: 'nodepool-v2/wikimedia_operations-puppet_2015-12-08_nodepool.yaml.erb',
} as const;

export function readDataFile(relativePath: string): string {
  return readFileSync(new URL(relativePath, DATA), 'utf8');
}
