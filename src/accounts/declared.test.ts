import assert from 'node:assert/strict'
import { test } from 'node:test'
import Type from 'typebox'
import { declaredNames, keepDeclared } from './declared.js'

const floor = Type.Object({ balance: Type.Integer(), linked_account_id: Type.Optional(Type.String()) })
const base = Type.Object({ nickname: Type.Optional(Type.String()), metadata: Type.Optional(Type.Object({})) })
const shape = Type.Intersect([Type.Object({ balance_floor: Type.Optional(floor), tags: Type.Optional(Type.Array(floor)) }), base])
const union = Type.Union([Type.Object({ a: Type.String() }), Type.Object({ b: Type.String() })])

test('keeps what an intersection declares, at every depth, and nothing else', () => {
  assert.deepEqual([...declaredNames(shape)].sort(), ['balance_floor', 'metadata', 'nickname', 'tags'])
  assert.deepEqual(
    keepDeclared(shape, { nickname: 'n', stray: 1, balance_floor: { balance: 1, extra: true }, tags: [{ balance: 2, x: 0 }], metadata: { any: { thing: 1 } } }),
    { nickname: 'n', balance_floor: { balance: 1 }, tags: [{ balance: 2 }], metadata: { any: { thing: 1 } } },
  )
})

test('a union keeps what any of its branches declares; scalars and free-form objects pass as they are', () => {
  assert.deepEqual(keepDeclared(union, { a: '1', b: '2', c: '3' }), { a: '1', b: '2' })
  assert.equal(keepDeclared(shape, 'text'), 'text')
  assert.deepEqual(keepDeclared(Type.Object({}), { free: 1 }), { free: 1 })
  assert.deepEqual(keepDeclared(Type.Intersect([Type.Unknown(), floor]), { balance: 1, other: 2 }), { balance: 1 })
})
