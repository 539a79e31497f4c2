/**
 * Zuul v3 moved nodepool to ZooKeeper and node requests (nodepool 3.x); its nodepool.yaml
 * looks alike at a glance but means something else. Such a file is recognised by its
 * ZooKeeper servers or by providers grouping labels in `pools`, and refused outright rather
 * than half read.
 */
export function zuulV3Signs(data: Record<string, unknown>): string[] {
  const signs: string[] = [];
  if ('zookeeper-servers' in data) signs.push('zookeeper-servers');

  const providers = data.providers;
  if (Array.isArray(providers)) {
    providers.forEach((provider, index) => {
      if (typeof provider === 'object' && provider !== null && 'pools' in provider) {
        signs.push(`providers[${index}].pools`);
      }
    });
  }
  return signs;
}

export const FORMAT_REFUSAL =
  'this is a Zuul v3-era nodepool configuration (ZooKeeper, pools, node requests); ' +
  'whiskpool reads the 2015 format (nodepool < 0.4, MySQL/Gearman/ZMQ era)';
