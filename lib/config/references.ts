import type { Findings } from './problems.ts';
import type { PoolConfig, ProviderConfig } from './types.ts';

/**
 * Checks that hold across sections: names are unique, what a label names exists, images can be
 * built. Nodepool found most of these only when a thread crashed on a KeyError at run time.
 */
export function checkReferences(config: PoolConfig, findings: Findings): void {
  checkUnique(config.providers, 'providers', 'provider', findings);
  checkUnique(config.labels, 'labels', 'label', findings);
  checkUnique(config.targets, 'targets', 'target', findings);
  checkUnique(config.diskimages, 'diskimages', 'diskimage', findings);
  config.providers.forEach((provider, index) => {
    checkUnique(provider.images, `providers[${index}].images`, 'image', findings);
  });

  checkLabels(config, findings);
  checkImages(config, findings);
  checkDirectories(config, findings);
  checkCapacity(config, findings);
  checkEndpoints(config, findings);
}

function checkUnique(
  entries: readonly { name: string }[],
  where: string,
  what: string,
  findings: Findings,
): void {
  const first = new Map<string, number>();
  entries.forEach(({ name }, index) => {
    const earlier = first.get(name);
    if (earlier === undefined) {
      first.set(name, index);
      return;
    }
    const reason = `duplicate ${what} "${name}" (also ${where}[${earlier}])`;
    findings.problem(`${where}[${index}].name`, reason);
  });
}

function checkLabels(config: PoolConfig, findings: Findings): void {
  const providers = new Map(config.providers.map((provider) => [provider.name, provider]));

  config.labels.forEach((label, labelIndex) => {
    const where = `labels[${labelIndex}]`;
    if (label.providers.length === 0) {
      findings.warn(`${where}.providers`, 'is empty: no node of this label can be launched');
    }

    const seen = new Set<string>();
    label.providers.forEach((name, index) => {
      const path = `${where}.providers[${index}].name`;
      if (seen.has(name)) findings.problem(path, `provider "${name}" is listed twice`);
      seen.add(name);

      const provider = providers.get(name);
      if (provider === undefined) {
        findings.problem(path, `provider "${name}" is not defined`);
      } else if (!provider.images.some((image) => image.name === label.image)) {
        findings.problem(`${where}.image`, `provider "${name}" has no image "${label.image}"`);
      }
    });
  });
}

function checkImages(config: PoolConfig, findings: Findings): void {
  const diskimages = new Set(config.diskimages.map((image) => image.name));

  eachImage(config.providers, (image, where) => {
    if (image.diskimage !== undefined && !diskimages.has(image.diskimage)) {
      findings.problem(`${where}.diskimage`, `diskimage "${image.diskimage}" is not defined`);
    }
    if (image.diskimage === undefined && image.baseImage === undefined) {
      findings.problem(where, 'needs base-image (a snapshot image) or diskimage (built by DIB)');
    }
  });
}

/** Snapshot images copy script-dir to the template server; DIB writes into images-dir. */
function checkDirectories(config: PoolConfig, findings: Findings): void {
  let scriptUser: string | undefined;
  let dibUser: string | undefined;

  eachImage(config.providers, (image, where) => {
    if (image.diskimage !== undefined) dibUser ??= where;
    else if (image.setup !== undefined) scriptUser ??= `${where} runs setup "${image.setup}"`;
  });
  config.labels.forEach((label, index) => {
    if (label.readyScript === undefined) return;
    scriptUser ??= `labels[${index}] runs ready-script "${label.readyScript}"`;
  });

  if (config.scriptDir === undefined && scriptUser !== undefined) {
    findings.problem('script-dir', `is required: ${scriptUser}`);
  }
  if (config.imagesDir === undefined && dibUser !== undefined) {
    findings.problem('images-dir', `is required: ${dibUser} is built by diskimage-builder`);
  }
}

function checkCapacity(config: PoolConfig, findings: Findings): void {
  const { building, booted } = config.timeouts;

  config.providers.forEach((provider, index) => {
    const where = `providers[${index}]`;
    if (provider.maxServers === 0) {
      findings.warn(`${where}.max-servers`, 'is 0: no node will be launched on this provider');
    }
    if (building !== 0 && building < provider.launchTimeout) {
      findings.warn(
        'timeouts.building',
        `${building} s is shorter than ${where}.launch-timeout (${provider.launchTimeout} s): ` +
          'the sweep would reap nodes still being launched',
      );
    }
    if (booted !== 0 && booted < provider.bootTimeout) {
      findings.warn(
        'timeouts.booted',
        `${booted} s is shorter than ${where}.boot-timeout (${provider.bootTimeout} s)`,
      );
    }
  });

  if (config.targets.length === 0) {
    findings.warn('targets', 'is empty: nodes cannot be assigned anywhere');
  }
}

function checkEndpoints(config: PoolConfig, findings: Findings): void {
  const publishers = new Set<string>();
  config.zmqPublishers.forEach((address, index) => {
    if (publishers.has(address)) findings.warn(`zmq-publishers[${index}]`, 'listed twice');
    publishers.add(address);
  });

  const servers = new Set<string>();
  config.gearmanServers.forEach(({ host, port }, index) => {
    const key = `${host}:${port}`;
    if (servers.has(key)) findings.warn(`gearman-servers[${index}]`, `${key} listed twice`);
    servers.add(key);
  });
}

function eachImage(
  providers: readonly ProviderConfig[],
  visit: (image: ProviderConfig['images'][number], where: string) => void,
): void {
  providers.forEach((provider, providerIndex) => {
    provider.images.forEach((image, imageIndex) => {
      visit(image, `providers[${providerIndex}].images[${imageIndex}]`);
    });
  });
}
