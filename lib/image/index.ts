/**
 * Snapshot images, as Nodepool made them: boot a template server from a base image, run the
 * image's setup script on it, snapshot it, and boot new machines from the newest snapshot.
 * Each step is a short invocation driven by `whiskpool.image.>` messages.
 */
export { handleImageEvent } from './handle.ts';
export {
  ImageState,
  REFRESH_STEPS,
  RefreshStep,
  type SnapshotImage,
} from './image.ts';
export { imagesInUse, providerImage, type ProviderImage } from './in-use.ts';
export { isLiveTemplateServer } from './live-template.ts';
export { imageFollowUp } from './follow-ups.ts';
export {
  ImageDeleteMessage,
  ImageRefreshAllMessage,
  ImageRefreshMessage,
  ImageStepMessage,
} from './messages.ts';
export { missingSnapshotRequests } from './missing.ts';
export { listImages, newestReadyImage } from './repository.ts';
export { KEEP_READY } from './switch.ts';
export { IMAGE_TIMEOUT_SECONDS, SETUP_TIMEOUT_MS } from './timeouts.ts';
