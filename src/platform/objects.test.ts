import assert from 'node:assert/strict'
import { it } from 'node:test'
import { stableHiddenClass } from '../../test/support/hidden-classes.js'
import { withFields } from './objects.js'

const key = (i: number) => ({ workspaceId: `w${i % 7}`, id: `id${i}` })

it('a literal that opens with a spread and adds properties makes a hidden class per call (why withFields exists)', () => {
  // If a later Node makes this false, V8 has fixed it and withFields can go.
  assert.equal(stableHiddenClass((i) => ({ ...key(i), now: i })), false)
})

it('withFields builds the same object through one hidden class', () => {
  assert.equal(stableHiddenClass((i) => withFields(key(i), { now: i })), true)
  assert.deepEqual(withFields({ a: 1, b: 2 }, { b: 3, c: 4 }), { a: 1, b: 3, c: 4 })
  assert.deepEqual(Object.keys(withFields({ a: 1, b: 2 }, { c: 4, b: 3 })), ['a', 'b', 'c'])
})

it('is not affected: a literal whose spread is not first, or one that only copies', () => {
  assert.equal(stableHiddenClass((i) => ({ now: i, ...key(i) })), true)
  assert.equal(stableHiddenClass((i) => ({ ...key(i) })), true)
})
