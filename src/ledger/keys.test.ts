import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { keyOf, keysKeptMax } from './keys.js'

describe('keyOf', () => {
  it('names each pair `workspace/id`, the same for the same pair, other for any other', () => {
    const pairs = [['w1', 'a'], ['w1', 'b'], ['w2', 'a'], ['w1/a', ''], ['w1', 'a/'], ['', 'w1/a']]
    for (const [w, id] of pairs) assert.equal(keyOf(w, id), `${w}/${id}`)
    assert.equal(keyOf('w1', 'a'), keyOf('w1', String.fromCharCode(97)))
    assert.notEqual(keyOf('w1', 'a'), keyOf('w2', 'a'))
  })

  it('stays right past the pairs it keeps (the table is emptied and refilled)', () => {
    const w = ['ws-1', 'ws-2', 'ws-3']
    for (let i = 0; i < keysKeptMax + 5_000; i++) {
      const workspace = w[i % 3]
      assert.equal(keyOf(workspace, `id-${i}`), `${workspace}/id-${i}`)
    }
    // Pairs made before the table was emptied, asked for again.
    for (let i = 0; i < 10; i++) assert.equal(keyOf(w[i % 3], `id-${i}`), `${w[i % 3]}/id-${i}`)
  })
})
