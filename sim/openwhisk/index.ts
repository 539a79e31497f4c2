/** A stand-in for an OpenWhisk deployment: REST API, alarm feed, and action containers. */
export {
  startOpenWhiskSim,
  type OpenWhiskSim,
  type OpenWhiskSimOptions,
  type Refusal,
} from './sim.ts';
export type { AlarmView } from './alarms.ts';
