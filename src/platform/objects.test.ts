import assert from 'node:assert/strict'
import { it } from 'node:test'
import { stableHiddenClass } from '../../test/support/hidden-classes.js'
import { declaredShape, sameJson, withFields } from './objects.js'

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

it('declaredShape keeps, at every depth, only what the schema declares; free-form objects whole', () => {
  const detail = { type: 'object', properties: { category: { type: 'string' }, note: { type: 'object', properties: {} } } }
  const schema = {
    allOf: [
      { type: 'object', properties: { details: { type: 'array', items: detail }, kind: { anyOf: [{ type: 'string' }, { type: 'object', properties: { a: { type: 'integer' } } }] } } },
      { type: 'object', required: ['kind'], properties: { kind: {} } },
    ],
  }
  const value = {
    details: [{ category: 'X', extra: 1, note: { anything: { goes: true } } }, 'not an object'],
    kind: { a: 1, b: 2 },
    top: 'dropped',
  }
  assert.deepEqual(declaredShape(schema, value), {
    details: [{ category: 'X', note: { anything: { goes: true } } }, 'not an object'],
    kind: { a: 1 },
  })
  assert.equal(declaredShape(schema, null), null)
  assert.deepEqual(declaredShape({ type: 'object', properties: {} }, { any: 1 }), { any: 1 })
})

it('sameJson: the same JSON whatever the order of an object\'s keys, dates by their time', () => {
  assert.equal(sameJson({ a: 1, b: { c: [1, { d: 2, e: 3 }] } }, { b: { c: [1, { e: 3, d: 2 }] }, a: 1 }), true)
  assert.equal(sameJson({ a: undefined, b: 1 }, { b: 1 }), true)
  assert.equal(sameJson([1, 2], [2, 1]), false)
  assert.equal(sameJson({ at: new Date('2026-01-01T00:00:00Z') }, { at: new Date('2026-01-01T00:00:00Z') }), true)
  assert.equal(sameJson({ at: new Date('2026-01-01T00:00:00Z') }, { at: new Date('2026-01-02T00:00:00Z') }), false)
})
