/** Talking to Jenkins: its REST API for agents, and the events its ZMQ publisher sends. */
export { JenkinsClient, type JenkinsClientOptions } from './client.ts';
export {
  MAX_FRAME_BYTES,
  offlineWhenComplete,
  parseBuildEvent,
  type BuildEvent,
  type BuildPhase,
} from './build-event.ts';
export { DUMB_SLAVE_TYPE, createNodeForm, launcherEndpoint } from './node-config.ts';
export type {
  CallHook,
  CreateNodeOutcome,
  DeleteNodeOutcome,
  JenkinsInfo,
  JenkinsNode,
  JenkinsTarget,
  NodeSpec,
  SetOfflineOutcome,
} from './types.ts';
