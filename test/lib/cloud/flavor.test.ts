import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { chooseFlavor, type CloudFlavor } from '../../../lib/cloud/index.ts';
import { ErrorCode, isWhiskpoolError } from '../../../lib/errors.ts';

const sample = JSON.parse(
  readFileSync(
    new URL('../../../../shared/data/openstack-api/nova_2015-10_flavors_flavors-detail-resp.json',
      import.meta.url),
    'utf8',
  ),
) as { flavors: CloudFlavor[] };

// The sample lists flavors smallest first; shuffle them so the sort is what is tested.
const flavors = [...sample.flavors].reverse();

describe('chooseFlavor', () => {
  const cases: { name: string; minRam: number; nameFilter?: string; chosen: string }[] = [
    { name: 'no RAM floor takes the smallest', minRam: 0, chosen: 'm1.tiny' },
    { name: 'an exact RAM match is enough', minRam: 2048, chosen: 'm1.small' },
    { name: 'between sizes takes the next larger', minRam: 2049, chosen: 'm1.medium' },
    { name: 'the name filter narrows the choice (Wikimedia)', minRam: 0,
      nameFilter: 'm1.medium', chosen: 'm1.medium' },
    { name: 'a partial name filter matches by substring', minRam: 5000, nameFilter: 'large',
      chosen: 'm1.large' },
    { name: 'RAM and filter together', minRam: 9000, nameFilter: 'm1.', chosen: 'm1.xlarge' },
  ];

  for (const c of cases) {
    it(`${c.name}: min-ram ${c.minRam}${c.nameFilter ? `, filter ${c.nameFilter}` : ''}`, () => {
      const chosen = chooseFlavor(flavors, { minRam: c.minRam, nameFilter: c.nameFilter });
      assert.equal(chosen.name, c.chosen);
    });
  }

  it('keeps the cloud order between flavors with the same RAM', () => {
    const twins = [
      { id: 'b', name: 'second', ram: 1024, vcpus: 1, disk: 1 },
      { id: 'a', name: 'first', ram: 1024, vcpus: 2, disk: 1 },
    ];
    assert.equal(chooseFlavor(twins, { minRam: 512 }).id, 'b');
  });

  const impossible = [
    { minRam: 32768, nameFilter: undefined, mentions: ['32768 MiB', "provider 'eqiad'"] },
    { minRam: 0, nameFilter: 'gpu', mentions: ["'gpu'", "provider 'eqiad'", 'm1.tiny (512 MiB)'] },
  ];
  for (const c of impossible) {
    it(`fails naming the provider and constraint when nothing fits (${c.minRam}, ${
      c.nameFilter ?? 'no filter'})`, () => {
      assert.throws(
        () => chooseFlavor(flavors, { minRam: c.minRam, nameFilter: c.nameFilter,
          provider: 'eqiad' }),
        (error: unknown) => {
          assert.ok(isWhiskpoolError(error, ErrorCode.ConfigInvalid));
          for (const text of c.mentions) assert.match(error.message, new RegExp(escape(text)));
          return true;
        },
      );
    });
  }

  it('says the cloud offers no flavors at all', () => {
    assert.throws(() => chooseFlavor([], { minRam: 0 }), /offered: none/);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
