/**
 * Shares the providers' free slots among the labels that need nodes, the way Nodepool's
 * allocator did in 2015, so that an operator moving from it sees the same choices:
 *
 * - each label's request is split over the providers that have its image, in proportion to
 *   their free slots, and split again over the providers left whenever one of them grants;
 * - providers grant in turn. Labels that asked in the last rounds and got nothing go first,
 *   longest wait first, so a large request cannot starve small ones round after round;
 * - the rest go by how many providers could still serve them, fewest first (a label only
 *   this provider can serve is served before one that could go elsewhere), and within that
 *   level each gets its share of the free slots in proportion to what it asks;
 * - a granted node costs one slot for itself and one per subnode;
 * - granted nodes are spread over the online targets to even out the label's count there.
 *
 * Unlike Nodepool, a grant never exceeds the slots left once subnodes are counted, and
 * providers grant in the order given rather than in hash order, so a round is reproducible.
 */
import { ErrorCode, WhiskpoolError } from '../errors.ts';
import { appendRound, waitTime } from './history.ts';
import { roundHalfUp } from './rounding.ts';
import { spreadOverTargets } from './targets.ts';
import type {
  AllocationHistory,
  AllocationInput,
  AllocationOutcome,
  AllocationRound,
  Launch,
} from './types.ts';

/** A provider during the round: its free slots and the shares it has not yet decided on. */
interface Provider {
  name: string;
  available: number;
  shares: Share[];
}

/** A label's request during the round. */
interface Request {
  label: string;
  /** Nodes still wanted; whole, since every grant is whole. */
  amount: number;
  /** Slots one node costs. */
  cost: number;
  /** Undecided shares by provider name; their count is the request's priority. */
  shares: Map<string, Share>;
  /** Nodes of the label per online target, updated as grants are placed. */
  current: Map<string, number>;
}

/** The part of a request one provider is asked for; fractional until granted. */
interface Share {
  request: Request;
  provider: Provider;
  amount: number;
}

interface Round {
  past: AllocationHistory;
  record: AllocationRound;
  targets: readonly string[];
  launches: Launch[];
}

export function allocate(input: AllocationInput): AllocationOutcome {
  const round: Round = { past: input.history, record: {}, targets: input.targets, launches: [] };

  // Nodes must go to some target; with none online nothing is asked, as in Nodepool.
  if (input.targets.length === 0) {
    return { launches: [], history: appendRound(input.history, round.record) };
  }

  const providers = new Map<string, Provider>();
  for (const { name, available } of input.providers) {
    providers.set(name, { name, available: Math.max(0, available), shares: [] });
  }

  const seen = new Set<string>();
  for (const spec of input.requests) {
    if (seen.has(spec.label)) {
      throw new WhiskpoolError(
        ErrorCode.UsageInvalid,
        `allocation: label '${spec.label}' is requested twice in one round`,
      );
    }
    seen.add(spec.label);
    if (spec.amount <= 0) continue;

    round.record[spec.label] = { requested: spec.amount, granted: 0 };
    const request: Request = {
      label: spec.label,
      amount: spec.amount,
      cost: 1 + spec.subnodes,
      shares: new Map(),
      current: new Map(input.targets.map((t) => [t, countOn(spec.current, t)])),
    };

    for (const name of spec.providers) {
      const provider = providers.get(name);
      if (provider === undefined || request.shares.has(name)) continue;

      const share: Share = { request, provider, amount: 0 };
      request.shares.set(name, share);
      provider.shares.push(share);
    }
    splitOverProviders(request);
  }

  for (const provider of providers.values()) makeGrants(provider, round);

  return { launches: round.launches, history: appendRound(input.history, round.record) };
}

function makeGrants(provider: Provider, round: Round): void {
  const waits = new Map(provider.shares.map((s) => [s, waitTime(round.past, s.request.label)]));
  const byRatio = provider.shares.filter((s) => waits.get(s) === 0);
  const waiting = provider.shares
    .filter((s) => waits.get(s) !== 0)
    .sort((a, b) => (waits.get(b) ?? 0) - (waits.get(a) ?? 0));

  // A fractional share below one rounds down to nothing here; that is a grant of zero, and
  // the request moves whole to its other providers.
  for (const share of waiting) {
    if (provider.available > 0) grant(share, Math.floor(share.amount), round);
    else byRatio.push(share);
  }

  byRatio.sort((a, b) => priority(a) - priority(b));

  for (const share of byRatio) {
    const level = byRatio.filter((s) => priority(s) === priority(share));
    let levelAmount = 0;
    for (const s of level) levelAmount += s.amount;

    const ratio = levelAmount > 0 ? share.amount / levelAmount : 0;
    const count = Math.min(
      roundHalfUp(share.amount),
      roundHalfUp(provider.available * ratio),
    );
    grant(share, count, round);
  }
}

/**
 * Shares already granted stay in the list with their priority lowered by one, so they fall
 * out of the level being shared; the level is therefore the shares still undecided.
 */
function priority(share: Share): number {
  return share.request.shares.size;
}

function grant(share: Share, wanted: number, round: Round): void {
  const { request, provider } = share;
  const fits = Math.floor(provider.available / request.cost);
  const count = Math.max(0, Math.min(wanted, fits));

  provider.shares.splice(provider.shares.indexOf(share), 1);
  request.shares.delete(provider.name);
  share.amount = count;
  request.amount -= count;
  provider.available -= count * request.cost;
  splitOverProviders(request);

  if (count === 0) return;

  const entry = Object.hasOwn(round.record, request.label) ? round.record[request.label] : null;
  if (entry) entry.granted += count;

  for (const placed of spreadOverTargets(count, round.targets, request.current)) {
    if (placed.count === 0) continue;
    round.launches.push({
      label: request.label,
      provider: provider.name,
      target: placed.target,
      count: placed.count,
    });
  }
}

/** Asks each undecided provider for a part of what is left, in proportion to its room. */
function splitOverProviders(request: Request): void {
  let room = 0;
  for (const share of request.shares.values()) room += share.provider.available;

  for (const share of request.shares.values()) {
    const ratio = room > 0 ? share.provider.available / room : 0;
    share.amount = ratio * request.amount;
  }
}

function countOn(current: Readonly<Record<string, number>>, target: string): number {
  return Object.hasOwn(current, target) ? (current[target] ?? 0) : 0;
}
