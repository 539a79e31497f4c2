import type { SimJenkins } from './jenkins.ts';

/** Jenkins' `api/json` shapes for the master and its jobs, with the fields clients read. */

/** `job/JOB/api/json`, or undefined when Jenkins has no such job. */
export function jobJson(jenkins: SimJenkins, job: string) {
  if (!jenkins.hasJob(job)) return undefined;

  const builds = jenkins.jobBuilds(job).reverse();
  const ref = (number: number) => ({
    _class: 'hudson.model.FreeStyleBuild',
    number,
    url: `${jenkins.rootUrl}job/${encodeURIComponent(job)}/${number}/`,
  });
  const last = builds[0];
  return {
    _class: 'hudson.model.FreeStyleProject',
    name: job,
    url: `${jenkins.rootUrl}job/${encodeURIComponent(job)}/`,
    buildable: true,
    color: 'blue',
    inQueue: false,
    builds: builds.map((build) => ref(build.number)),
    lastBuild: last ? ref(last.number) : null,
    nextBuildNumber: jenkins.nextBuildNumber(job),
  };
}

export function masterJson(jenkins: SimJenkins) {
  const jobs = [...new Set(jenkins.catalog.map((entry) => entry.job))];
  return {
    _class: 'hudson.model.Hudson',
    assignedLabels: [{ name: 'master' }],
    mode: 'EXCLUSIVE',
    nodeDescription: 'the master Jenkins node',
    nodeName: '',
    numExecutors: 0,
    description: null,
    jobs: jobs.map((name) => ({
      _class: 'hudson.model.FreeStyleProject',
      name,
      url: `${jenkins.rootUrl}job/${encodeURIComponent(name)}/`,
      color: 'blue',
    })),
    quietingDown: jenkins.quietingDown,
    slaveAgentPort: -1,
    url: jenkins.rootUrl,
    useCrumbs: true,
    useSecurity: true,
  };
}

export function masterComputerJson() {
  return {
    _class: 'hudson.model.Hudson$MasterComputer',
    actions: [],
    assignedLabels: [{ name: 'master' }],
    description: 'the master Jenkins node',
    displayName: 'master',
    executors: [],
    icon: 'computer.png',
    iconClassName: 'icon-computer',
    idle: true,
    jnlpAgent: false,
    launchSupported: true,
    manualLaunchAllowed: true,
    numExecutors: 0,
    offline: false,
    offlineCause: null,
    offlineCauseReason: '',
    oneOffExecutors: [],
    temporarilyOffline: false,
  };
}
