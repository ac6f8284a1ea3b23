import { describe, expect, it } from 'vitest';
import { fuse, RRF_K } from './retrieve.js';

describe('fuse (reciprocal rank fusion)', () => {
  it('passes a single ranking through with its scores', () => {
    const r = [
      { chunkId: 'a', score: 9 },
      { chunkId: 'b', score: 3 },
    ];
    expect(fuse([r, []])).toEqual(r);
  });

  it('sums 1/(k+rank) and ranks agreement first', () => {
    const lexical = [
      { chunkId: 'a', score: 10 },
      { chunkId: 'b', score: 5 },
      { chunkId: 'c', score: 1 },
    ];
    const vector = [
      { chunkId: 'b', score: 0.9 },
      { chunkId: 'd', score: 0.8 },
      { chunkId: 'a', score: 0.7 },
    ];
    const fused = fuse([lexical, vector]);
    expect(fused.map((f) => f.chunkId)).toEqual(['b', 'a', 'd', 'c']);
    expect(fused[0]!.score).toBeCloseTo(1 / (RRF_K + 2) + 1 / (RRF_K + 1), 12);
  });

  it('breaks ties deterministically by best rank, then id', () => {
    const fused = fuse([
      [
        { chunkId: 'x', score: 1 },
        { chunkId: 'y', score: 1 },
      ],
      [
        { chunkId: 'y', score: 1 },
        { chunkId: 'x', score: 1 },
      ],
    ]);
    expect(fused.map((f) => f.chunkId)).toEqual(['x', 'y']);
    expect(fuse([])).toEqual([]);
  });
});
