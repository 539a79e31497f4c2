import { ErrorCode, WhiskpoolError } from '../errors.ts';
import type { CloudFlavor } from './provider.ts';

export interface FlavorConstraint {
  /** MiB; the flavor must have at least this much RAM. */
  minRam: number;
  /** When set, the flavor's name must contain this text. */
  nameFilter?: string;
  /** Named in the error when nothing fits. */
  provider?: string;
}

/**
 * Nodepool's rule: the smallest flavor by RAM that has at least `minRam` and, with a name
 * filter, whose name contains it. Ties in RAM keep the cloud's order.
 */
export function chooseFlavor(flavors: readonly CloudFlavor[], want: FlavorConstraint): CloudFlavor {
  const byRam = [...flavors].sort((a, b) => a.ram - b.ram);

  const chosen = byRam.find(
    (flavor) =>
      flavor.ram >= want.minRam &&
      (want.nameFilter === undefined || flavor.name.includes(want.nameFilter)),
  );
  if (chosen) return chosen;

  const where = want.provider === undefined ? 'the cloud' : `provider '${want.provider}'`;
  const filter = want.nameFilter === undefined ? '' : ` and a name containing '${want.nameFilter}'`;
  const offered = byRam.map((flavor) => `${flavor.name} (${flavor.ram} MiB)`).join(', ');
  throw new WhiskpoolError(
    ErrorCode.ConfigInvalid,
    `${where} has no flavor with at least ${want.minRam} MiB RAM${filter}; ` +
      `offered: ${offered || 'none'}`,
  );
}
