/** A Zuul-v2-like build submitter for benches, demos and end-to-end tests. */
export { buildParameters } from './parameters.ts';
export type { BuildParameters, Change, ParameterOptions } from './parameters.ts';
export { runSubmitter } from './submitter.ts';
export type {
  BuildOutcome,
  BuildRecord,
  Submitter,
  SubmitterJob,
  SubmitterOptions,
  SubmitterReport,
} from './submitter.ts';
