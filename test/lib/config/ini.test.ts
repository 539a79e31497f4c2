import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { parseIni } from '../../../lib/config/ini.ts';

describe('secure.conf INI', () => {
  test('sections, both separators, comments and continuation lines are read', () => {
    const { sections, problems } = parseIni(
      [
        '# comment',
        '; another',
        '[database]',
        'dburi = mysql://np:p;w%d@db/np',
        '',
        '[jenkins "jenkins01"]',
        'URL: https://jenkins01.example.org/',
        'apikey =',
        '  continued',
      ].join('\n'),
    );

    assert.deepEqual(problems, []);
    assert.equal(sections.get('database')?.values.get('dburi'), 'mysql://np:p;w%d@db/np');
    const jenkins = sections.get('jenkins "jenkins01"');
    assert.equal(jenkins?.line, 6);
    assert.equal(jenkins?.values.get('url'), 'https://jenkins01.example.org/');
    assert.equal(jenkins?.values.get('apikey'), 'continued');
  });

  const BROKEN: [string, { line: number; reason: string }][] = [
    ['dburi = x', { line: 1, reason: 'option before any [section]' }],
    ['[database]\njust words', { line: 2, reason: 'expected "[section]" or "key = value"' }],
    ['[database]\n= value', { line: 2, reason: 'expected "[section]" or "key = value"' }],
    ['[a]\n[a]', { line: 2, reason: 'section [a] appears twice' }],
  ];

  for (const [text, problem] of BROKEN) {
    test(`${JSON.stringify(text)} is refused at line ${problem.line}`, () => {
      assert.deepEqual(parseIni(text).problems, [problem]);
    });
  }
});
