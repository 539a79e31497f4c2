import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { buildBundles } from '../../deploy/bundle.ts';
import { describePoolEndToEnd } from '../support/pool-e2e.ts';

const bundleDir = mkdtempSync(join(tmpdir(), 'whiskpool-bundles-'));

describePoolEndToEnd('the pool with each action bundled and run through the action proxy', {
  async prepare() {
    await buildBundles({ outDir: bundleDir });
    return { actionHostMode: 'proxy', bundleDir };
  },
  async finish() {
    rmSync(bundleDir, { recursive: true, force: true });
  },
});
