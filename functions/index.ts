import type { ActionResult } from '../lib/actions/result.ts';
import { main as deleteMain } from './delete/index.ts';
import { main as imageRefresh } from './image-refresh/index.ts';
import { main as offline } from './offline/index.ts';
import { main as readyCheck } from './ready-check/index.ts';
import { main as reconcile } from './reconcile/index.ts';
import { main as register } from './register/index.ts';
import { main as spawn } from './spawn/index.ts';

export type ActionMain = (params: Record<string, unknown>) => Promise<ActionResult>;

/** Every action by its OpenWhisk name. */
export const ACTIONS: Record<string, ActionMain> = {
  reconcile,
  spawn,
  'ready-check': readyCheck,
  register,
  offline,
  delete: deleteMain,
  'image-refresh': imageRefresh,
};
