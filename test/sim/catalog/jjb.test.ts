import assert from 'node:assert/strict';
import { test } from 'node:test';

import { findJobNode, labelAtoms, parseJjbNodes } from '../../../sim/catalog/jjb.ts';

const JJB = `
- job-template:
    name: 'tox-{toxenv}'
    node: contintLabsSlave && UbuntuPrecise
- job-template:
    name: 'tox-{toxenv}-jessie'
    node: ci-jessie-wikimedia
- job-template:
    name: 'tox-jessie'
    node: ci-jessie-wikimedia
- job-template:
    name: '{name}-tox-doc-publish'
    node: contintLabsSlave && UbuntuTrusty
- job-template:
    name: 'gate-{name}-pep8'
    node: '{node}'
- job:
    name: 'a.b+c'
    node: (x || y) && !z
- project:
    name: common
`;

const nodes = parseJjbNodes(JJB);

const cases: [job: string, node: string | undefined][] = [
  ['tox-flake8', 'contintLabsSlave && UbuntuPrecise'],
  ['tox-py27-jessie', 'ci-jessie-wikimedia'],
  ['tox-jessie', 'ci-jessie-wikimedia'],
  ['pywikibot-core-tox-doc-publish', 'contintLabsSlave && UbuntuTrusty'],
  ['tox-doc-publish', 'contintLabsSlave && UbuntuPrecise'],
  ['gate-nova-pep8', undefined],
  ['a.b+c', '(x || y) && !z'],
  ['aXb+c', undefined],
  ['phplint', undefined],
];

for (const [job, node] of cases) {
  test(`JJB node of ${job} is ${node ?? 'unknown'}`, () => {
    assert.equal(findJobNode(nodes, job)?.node, node);
  });
}

const expressions: [expression: string, atoms: string[]][] = [
  ['ci-jessie-wikimedia', ['ci-jessie-wikimedia']],
  ['contintLabsSlave && UbuntuTrusty', ['contintLabsSlave', 'UbuntuTrusty']],
  ['bare-precise || bare-trusty', ['bare-precise', 'bare-trusty']],
  ['(x || y) && !z', ['x', 'y', 'z']],
];

for (const [expression, atoms] of expressions) {
  test(`label atoms of "${expression}"`, () => {
    assert.deepEqual(labelAtoms(expression), atoms);
  });
}
