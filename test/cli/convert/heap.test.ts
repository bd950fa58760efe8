/**
 * The heap `convert` sets for itself (src/cli/convert/heap.ts): both flags by default, and a flag
 * the user gave (on the command line or in NODE_OPTIONS, in either spelling) left as given.
 */
import { describe, expect, test } from 'vitest';
import { convertHeapFlags } from '../../../src/cli/convert/heap.js';

const BOTH = ['--semi-space-growth-factor=1', '--heap-growing-percent=80'];

describe('convertHeapFlags', () => {
  test('both flags when the user gave none of theirs', () => {
    expect(convertHeapFlags([], undefined)).toEqual(BOTH);
    expect(convertHeapFlags(['--enable-source-maps', '--max-old-space-size=512'], '--require ./x.cjs')).toEqual(BOTH);
  });

  test('the young generation left as the user set it', () => {
    for (const given of ['--max-semi-space-size=64', '--min-semi-space-size=2', '--semi_space_growth_factor=4', '--max_semi_space_size=8']) {
      expect(convertHeapFlags([given], undefined)).toEqual(['--heap-growing-percent=80']);
      expect(convertHeapFlags([], `--enable-source-maps ${given}`)).toEqual(['--heap-growing-percent=80']);
    }
  });

  test('the old generation growth left as the user set it', () => {
    expect(convertHeapFlags(['--heap-growing-percent=300'], undefined)).toEqual(['--semi-space-growth-factor=1']);
    expect(convertHeapFlags(['--heap_growing_percent=50', '--max-semi-space-size=1'], undefined)).toEqual([]);
  });
});
