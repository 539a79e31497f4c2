import { describePoolEndToEnd } from '../support/pool-e2e.ts';

describePoolEndToEnd('the pool on the embedded default');
