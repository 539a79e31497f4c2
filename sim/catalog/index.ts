/** Real Wikimedia 2015 jobs and the labels they need, for the Zuul and Jenkins stand-ins. */
export { loadCatalog, wikimediaNodepoolLabels } from './catalog.ts';
export type { CatalogEntry, CatalogOptions, CatalogSource } from './catalog.ts';
export type { JobRun, Precedence } from './zuul-layout.ts';
