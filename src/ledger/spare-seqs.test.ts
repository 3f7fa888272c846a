import assert from 'node:assert/strict'
import { it } from 'node:test'
import fc from 'fast-check'
import { SpareSeqs } from './spare-seqs.js'

it('hands out the numbers added, oldest first, each once, however adds and takes interleave', () => {
  type Op = { add: number } | { take: number }
  const op: fc.Arbitrary<Op> = fc.oneof(fc.nat(300).map((n) => ({ add: n })), fc.nat(40).map((n) => ({ take: n })))
  fc.assert(fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
    const spare = new SpareSeqs()
    const model: bigint[] = []
    let next = 0n
    for (const o of ops) {
      if ('add' in o) {
        const more = Array.from({ length: o.add }, () => next++)
        spare.add(more)
        model.push(...more)
      } else {
        assert.deepEqual(spare.take(o.take), model.splice(0, o.take))
      }
      assert.equal(spare.length, model.length)
    }
  }), { seed: 20261206, numRuns: 300 })
})
