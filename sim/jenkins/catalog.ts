/** One Jenkins job the stand-in offers, and the node label it runs on. */
export interface CatalogEntry {
  job: string;
  label: string;
}

/**
 * The Gearman functions an executor on a node with these labels registers, as the Gearman
 * plugin computes them for jobs restricted to one label: `build:JOB` and `build:JOB:LABEL`.
 */
export function functionsFor(catalog: CatalogEntry[], labels: string[]): Map<string, string> {
  const functions = new Map<string, string>();
  for (const { job, label } of catalog) {
    if (!labels.includes(label)) continue;
    functions.set(`build:${job}`, job);
    functions.set(`build:${job}:${label}`, job);
  }
  return functions;
}

/** Parses `job=label,job2=label2`; throws naming the bad item. */
export function parseJobList(text: string): CatalogEntry[] {
  return text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0)
    .map((item) => {
      const [job, label, extra] = item.split('=').map((part) => part.trim());
      if (!job || !label || extra !== undefined) {
        throw new Error(`job list item '${item}' is not of the form job=label`);
      }
      return { job, label };
    });
}
