// The strict response check: what a generated client would refuse to decode, the suite refuses.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { conformance } from './conformance.js'

const id = '018f0000-0000-7000-8000-000000000001'
const account = {
  id, account_type: 'CHECKING', currency: 'USD', status: 'ACTIVE_OR_DISBURSED', access_status: 'ACTIVE',
  balance_floor: { balance: 0 }, metadata: { anything: { goes: 1 } },
}
const check = (method: string, url: string, body: unknown) => conformance().check(method, url, 200, 'application/json', body)

test('a success body may carry only the properties its schema declares', () => {
  check('GET', `/v0/accounts/${id}`, account)
  assert.throws(() => check('GET', `/v0/accounts/${id}`, { ...account, bank_country: 'US' }), /bank_country/)
  // Nested objects are closed too, and lists of them.
  assert.throws(() => check('GET', `/v0/accounts/${id}`, { ...account, balance_floor: { balance: 0, extra: 1 } }), /extra/)
  assert.throws(() => check('GET', '/v0/accounts', { accounts: [{ ...account, tenant_notes: 'x' }] }), /tenant_notes/)
  // A free-form object (metadata declares no properties) stays free-form.
  check('GET', '/v0/accounts', { accounts: [account] })
})

test('a property declared by any allOf branch is allowed; for anyOf/oneOf, by the branch that matches', () => {
  // internal_account_response is allOf [{tenant}, internal_account].
  const internal = { id, currency: 'USD', status: 'ACTIVE', tenant: 'abc_def', description: 'fees' }
  check('GET', `/v0/internal_accounts/${id}`, internal)
  assert.throws(() => check('GET', `/v0/internal_accounts/${id}`, { ...internal, is_sandbox_funding: true }), /is_sandbox_funding/)
  // account_product is oneOf [interest, fee]: a fee's fields on a fee are fine, an interest's rates on it are not.
  const fee = { id, product_type: 'FEE', fee_type: 'MONTHLY_FEE', amount: 100, currency: 'USD' }
  check('GET', '/v0/accounts/products?product_type=FEE', { account_products: [fee] })
  assert.throws(() => check('GET', '/v0/accounts/products?product_type=FEE', { account_products: [{ ...fee, surprise: 1 }] }), /surprise/)
  assert.throws(() => check('GET', '/v0/accounts/products?product_type=FEE', { account_products: [{ ...fee, rates: [] }] }), /rates/)
})

test('webhook bodies named by schema are closed as well', () => {
  assert.throws(() => conformance().checkSchema('balance_floor', { balance: 1, note: 'x' }), /note/)
  conformance().checkSchema('balance_floor', { balance: 1 })
})

test('an error status is one the operation declares, a cross-cutting one, or one listed for that operation alone', () => {
  const problem = (status: number, code: string) => ({ type: 'https://dev.synctera.com/errors/x', title: 'X', status, detail: 'x', code })
  const refuse = (method: string, url: string, status: number, code: string) => conformance().check(method, url, status, 'application/problem+json', problem(status, code))
  // 461 "Account has been closed" is declared by the account's writes.
  refuse('PATCH', `/v0/accounts/${id}`, 461, 'ACCOUNT_CLOSED')
  refuse('POST', `/v0/accounts/${id}/relationships`, 461, 'ACCOUNT_CLOSED')
  assert.throws(() => refuse('POST', `/v0/accounts/${id}/initiate_closure`, 461, 'ACCOUNT_CLOSED'), /not a status the spec declares/)
  // 409 DUPLICATE_RESOURCE: listed for an account relationship's POST and PUT, not its DELETE.
  refuse('POST', `/v0/accounts/${id}/relationships`, 409, 'DUPLICATE_RESOURCE')
  refuse('PUT', `/v0/accounts/${id}/relationships/${id}`, 409, 'DUPLICATE_RESOURCE')
  assert.throws(() => refuse('DELETE', `/v0/accounts/${id}/relationships/${id}`, 409, 'DUPLICATE_RESOURCE'), /not a status the spec declares/)
})

test("a problem body may carry only the spec's error members and the extra fields the catalogue declares for its code", () => {
  const problem = (status: number, code: string, extra: object = {}) => ({ type: 'https://dev.synctera.com/errors/x', title: 'X', status, detail: 'd', code, ...extra })
  const refusal = (status: number, body: unknown) => conformance().check('GET', '/v0/persons', status, 'application/problem+json', body)
  refusal(400, problem(400, 'BAD_REQUEST_BODY', { missing: ['a'], invalid: { b: 'c' }, immutable: ['id'] }))
  refusal(429, problem(429, 'TOO_MANY_REQUESTS', { retry_after: 1 }))
  assert.throws(() => refusal(400, problem(400, 'BAD_QUERY_PARAMETER', { invalid: { limit: 'must be >= 1' } })), /BAD_QUERY_PARAMETER carries invalid/)
  assert.throws(() => refusal(400, problem(400, 'BAD_REQUEST_BODY', { valid_status: [] })), /valid_status/)
  assert.throws(() => conformance().check('POST', '/v0/external_accounts', 409, 'application/problem+json', problem(409, 'DUPLICATE_RESOURCE', { existing_id: id })), /existing_id/)
  assert.throws(() => refusal(503, problem(503, 'SERVICE_UNAVAILABLE', { retry_after: 1 })), /retry_after/)
})
