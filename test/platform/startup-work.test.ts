// What building the app leaves for later: the routes' validators are compiled on each route's first
// request, and the Plaid SDK is loaded when first called. Done at start, they cost every process
// (`keel start`, each test file) about a second and a half (docs/contributing.md, Tests).
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { sep } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { bodyAjv, queryAjv } from '../../src/platform/validation.js'
import { startHarness, type Harness } from '../support/harness.js'

let compiled = 0
for (const ajv of [bodyAjv, queryAjv]) {
  const compile = ajv.compile.bind(ajv)
  ajv.compile = ((schema: object) => { compiled++; return compile(schema) }) as typeof ajv.compile
}
const plaidLoaded = () => Object.keys(createRequire(import.meta.url).cache).some((p) => p.includes(`${sep}node_modules${sep}plaid${sep}`))

let h: Harness
before(async () => { h = await startHarness() })
after(async () => { await h.close() })

describe('building the app', () => {
  it('compiles no route validator; a route compiles its own on its first request, once', async () => {
    assert.equal(compiled, 0, 'compiled while the app was built')
    assert.equal((await h.request('GET', '/v0/persons')).status, 200)
    assert.equal(compiled, 2, 'the route\'s path parameters and query')
    assert.equal((await h.request('GET', '/v0/persons')).status, 200)
    assert.equal(compiled, 2, 'kept')
    assert.equal((await h.request('POST', '/v0/persons', { body: { is_customer: true, status: 'ACTIVE', first_name: 'Ada', last_name: 'L' } })).status, 201)
    assert.equal(compiled, 5, 'another route: its parameters, query and body')
  })

  it('does not load the Plaid SDK', () => {
    assert.equal(plaidLoaded(), false)
  })
})
