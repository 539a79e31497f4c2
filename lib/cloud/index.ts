/** The cloud whiskpool's machines live in: the provider interface and its OpenStack client. */
export type {
  CloudCallHook,
  CloudFlavor,
  CloudImage,
  CloudLimits,
  CloudProvider,
  CloudServer,
  ServerFault,
  ServerSpec,
  ServerStatus,
} from './provider.ts';
export { CloudOperation } from './provider.ts';
export { chooseFlavor, type FlavorConstraint } from './flavor.ts';
export {
  MetadataKey,
  NOVA_METADATA_MAX_LENGTH,
  ownedBy,
  readOwnership,
  readTemplateOwnership,
  serverMetadata,
  templateMetadata,
  type Ownership,
  type ServerMetadataInput,
  type TemplateMetadataInput,
  type TemplateOwnership,
} from './metadata.ts';
export {
  createOpenStackProvider,
  type OpenStackOptions,
  type OpenStackProvider,
} from './openstack/provider.ts';
export { identityV3Url } from './openstack/auth-url.ts';
export { SSH_PORT_KEY } from './openstack/nova.ts';
