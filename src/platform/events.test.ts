import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { changedFields } from './events.js'

describe('changedFields', () => {
  it('names the fields whose value changed, with their prior values', () => {
    assert.deepEqual(changedFields({ a: 1, b: { c: 'x' }, d: [1, 2] }, { a: 2, b: { c: 'y' }, d: [1, 2] }), { a: 1, b: { c: 'x' } })
    assert.deepEqual(changedFields({ a: 1 }, { a: 1, e: 'new' }), { e: null })
    assert.deepEqual(changedFields({ a: [1, 2] }, { a: [2, 1] }), { a: [1, 2] })
  })

  it('finds nothing changed in an object whose keys come back in another order, or in a field JSON leaves out', () => {
    const address = { address_line_1: '2 Main St', city: 'Springfield', postal_code: '62701' }
    const reordered = { postal_code: '62701', city: 'Springfield', address_line_1: '2 Main St' }
    assert.deepEqual(changedFields({ legal_address: address, n: { x: { b: 1, a: 2 } } }, { legal_address: reordered, n: { x: { a: 2, b: 1 } } }), {})
    assert.deepEqual(changedFields({ a: { b: undefined, c: 1 } }, { a: { c: 1 } }), {})
  })

  it('never counts the times of the change itself', () => {
    assert.deepEqual(changedFields({ last_updated_time: 'then', last_modified_time: 'then' }, { last_updated_time: 'now', last_modified_time: 'now' }), {})
  })
})
