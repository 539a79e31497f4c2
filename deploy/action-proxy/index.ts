/**
 * OpenWhisk's action-proxy protocol on this machine: the inside of an action container
 * (`runner.ts`, started by `main.ts`), one container process (`container.ts`), and a pool of
 * them that runs actions the way OpenWhisk's invoker does (`pool.ts`), with activation
 * records in OpenWhisk's shape (`activation.ts`).
 */
export { ActivationStatus, activationRecord, type ActivationRecord } from './activation.ts';
export { startContainer, type ActionContainer } from './container.ts';
export { createContainerPool, type ContainerPool, type DeployedAction } from './pool.ts';
export { ACTIVATION_END_MARKER } from './protocol.ts';
