import { allocate } from './allocator.ts';
import { checkPlanInput } from './check.ts';
import { labelNeeds, nodesPerTarget, providerCapacities } from './needed.ts';
import type { AllocationRequest, PlanInput, PlanResult } from './types.ts';

/**
 * One planning round: what each label needs, then which provider boots how many of it for
 * which target. Pure: the caller creates the node rows, picks availability zones, logs the
 * `needed` and `providers` detail and stores the returned history for the next round.
 */
export function planLaunches(input: PlanInput): PlanResult {
  checkPlanInput(input);

  const providers = providerCapacities(input.providers, input.labels, input.nodes);
  const needed = labelNeeds(input, providers);
  const online = input.targets.filter((t) => t.online).map((t) => t.name);

  const imageReady = new Map(input.providers.map((p) => [p.name, new Set(p.labelsWithImage)]));
  const requests: AllocationRequest[] = input.labels.map((label, index) => ({
    label: label.name,
    amount: needed[index]?.demand ?? 0,
    subnodes: label.subnodes,
    providers: label.providers.filter((p) => imageReady.get(p)?.has(label.name) === true),
    current: nodesPerTarget(label.name, input.nodes, online),
  }));

  const { launches, history } = allocate({
    providers: providers.map((p) => ({ name: p.provider, available: p.available })),
    targets: online,
    requests,
    history: input.history,
  });

  return { launches, history, needed, providers };
}
