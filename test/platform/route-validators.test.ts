// routeValidators (src/platform/http.ts): a route's validators are compiled on its first request,
// not as the app is built. Here every operation's are compiled, so a schema ajv cannot compile is
// found by the suite rather than by a route's first caller; and a route's validators are compiled
// once and kept.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { routeValidators } from '../../src/platform/http.js'
import { operations, type OperationId } from '../../src/spec/schemas.js'

describe('route validators', () => {
  it('compile for every operation of the spec', () => {
    const ids = Object.keys(operations) as OperationId[]
    assert.ok(ids.length > 100, `${ids.length} operations`)
    for (const id of ids) {
      const op = operations[id]
      const v = routeValidators(op)()
      assert.equal(typeof v.validateParams, 'function', id)
      assert.equal(typeof v.validateQuery, 'function', id)
      assert.equal(v.validateBody === undefined, op.body === undefined || op.body === null, id)
    }
  })

  it('judge what they are given: path parameters, queries coerced from text, bodies as sent', () => {
    const get = routeValidators(operations.getAccount)()
    assert.equal(get.validateParams({ account_id: '01a2421c-aeda-70f8-8411-883c6be395c7' }), true)
    assert.equal(get.validateParams({ account_id: 'not-a-uuid' }), false)

    const list = routeValidators(operations.listAccounts)()
    const query: Record<string, unknown> = { limit: '25' }
    assert.equal(list.validateQuery(query), true)
    assert.equal(query.limit, 25, 'coerced to an integer')
    assert.equal(list.validateQuery({ limit: '0x10' }), false, 'numbers are decimals')

    const create = routeValidators(operations.createInternalTransfer)()
    assert.equal(create.validateBody!({ amount: '100' }), false)
    assert.ok(create.validateBody!.errors!.length > 0)
  })

  it('are compiled once per route, on first use, and kept', () => {
    const validators = routeValidators(operations.getAccount)
    assert.equal(validators(), validators())
    const body = { type: 'object', properties: { only: { type: 'string' } }, required: ['only'], additionalProperties: false }
    const replaced = routeValidators(operations.createInternalTransfer, body)()
    assert.equal(replaced.validateBody!({ only: 'x' }), true, 'a route\'s own body schema replaces the spec\'s')
    assert.equal(replaced.validateBody!({ amount: 100 }), false)
  })
})
