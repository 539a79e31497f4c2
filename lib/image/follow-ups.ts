import type { FollowUp } from '../events/messages.ts';
import { Subject } from '../events/subjects.ts';
import type { RefreshStep } from './image.ts';
import type { ImageRefreshMessage } from './messages.ts';

/**
 * The messages of a refresh. A step message's id names the image and the step, so a step
 * that runs twice hands on one message, not two.
 */
export const imageFollowUp = {
  /** `key` makes the id: requests with the same key inside JetStream's window are one. */
  refresh(request: ImageRefreshMessage, key: string): FollowUp {
    return {
      subject: Subject.ImageRefresh,
      data: request,
      id: `image-refresh-${request.provider}-${request.image}-${key}`,
    };
  },
  step(imageId: number, step: RefreshStep): FollowUp {
    return { subject: Subject.ImageStep, data: { imageId, step }, id: `image-${imageId}-${step}` };
  },
  delete(imageId: number, reason: string): FollowUp {
    return {
      subject: Subject.ImageDelete,
      data: { imageId, reason },
      id: `image-delete-${imageId}`,
    };
  },
};
