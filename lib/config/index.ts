/**
 * Configuration: Nodepool's 2015 `nodepool.yaml` (with `secure.conf`, `clouds.yaml` and
 * secrets from the environment), read into a typed PoolConfig.
 */
export { loadConfig, type LoadOptions } from './load.ts';
export { parseConfig, type ParseOptions, type SourceText } from './parse.ts';
export { ConfigInvalidError } from './problems.ts';
export { redactConfig, REDACTED } from './redact.ts';
export {
  checkHostnameTemplate,
  HOSTNAME_FIELDS,
  jenkinsNodeName,
  renderHostname,
  type HostnameTemplateKind,
  type HostnameValues,
} from './hostname.ts';
export {
  DATABASE_URL_VARIABLE,
  providerPasswordVariable,
  targetApikeyVariable,
  type Environment,
} from './env-secrets.ts';
export { DEFAULT_STATE_TIMEOUTS, NODEPOOL_DEFAULTS, WHISKPOOL_DEFAULTS } from './defaults.ts';
export { findImage, findLabel, findProvider, findTarget } from './lookup.ts';
export type {
  CronConfig,
  DatabaseConfig,
  DiskImageConfig,
  GearmanServerConfig,
  ImageConfig,
  ImageType,
  JenkinsConfig,
  LabelConfig,
  LoadedConfig,
  MysqlDatabaseConfig,
  NatsConfig,
  NetworkConfig,
  PoolConfig,
  ProviderAuth,
  ProviderConfig,
  SecretOrigin,
  SqliteDatabaseConfig,
  StateTimeouts,
  TargetConfig,
} from './types.ts';
