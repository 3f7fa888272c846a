import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ApiError, badQuery, extraFieldsOf } from './errors.js'

const members = (e: ApiError) => Object.keys(e.toProblem()).sort()
const specMembers = ['code', 'detail', 'status', 'title', 'type']

describe('a problem body', () => {
  it("carries the spec's members and only the extra fields the catalogue declares for its code", () => {
    assert.deepEqual(extraFieldsOf('BAD_REQUEST_BODY'), ['missing', 'invalid', 'immutable'])
    assert.deepEqual(extraFieldsOf('BAD_QUERY_PARAMETER'), [])
    const body = new ApiError('BAD_REQUEST_BODY', 'd', { missing: ['a'], invalid: { b: 'c' }, immutable: ['id'], valid_status: ['X'] })
    assert.deepEqual(members(body), [...specMembers, 'immutable', 'invalid', 'missing'].sort())
    const status = new ApiError('INVALID_STATUS', 'd', { valid_status: ['ACTIVE'], invalid: { status: 'x' } })
    assert.deepEqual(status.toProblem().valid_status, ['ACTIVE'])
    assert.deepEqual(members(status), [...specMembers, 'valid_status'].sort())
    // A member the code does not declare stays out of the body (its content belongs in the detail).
    assert.deepEqual(members(new ApiError('ACCOUNT_NOT_FOUND', 'destination_id x: no such account', { invalid: { destination_id: 'no such account' } })), specMembers)
    assert.deepEqual(members(new ApiError('BAD_QUERY_PARAMETER', 'd', { invalid: { limit: 'x' } })), specMembers)
    // Keel's own NACHA_FILE_INVALID lists the file's errors, as its table says.
    assert.deepEqual(members(new ApiError('NACHA_FILE_INVALID', 'd', { errors: [], warnings: [], summary: {} })), [...specMembers, 'errors', 'summary', 'warnings'].sort())
  })

  it('says how long to wait in `retry_after` for 429 only; the Retry-After header carries it for 503', () => {
    const limited = new ApiError('TOO_MANY_REQUESTS', 'd', {}, { retryAfterSeconds: 3 })
    assert.equal(limited.toProblem().retry_after, 3)
    assert.equal(limited.retryAfterSeconds, 3)
    const unavailable = new ApiError('SERVICE_UNAVAILABLE', 'd', {}, { retryAfterSeconds: 1 })
    assert.equal(unavailable.retryAfterSeconds, 1)
    assert.deepEqual(members(unavailable), specMembers)
    assert.deepEqual(members(new ApiError('SERVICE_UNAVAILABLE', 'd', { retry_after: 1 })), specMembers)
  })
})

describe('badQuery', () => {
  it('names each parameter missing, and each invalid one with what is wrong with it, in the detail', () => {
    const cases: [Parameters<typeof badQuery>[0], string][] = [
      [{ invalid: { limit: 'must be >= 1' } }, 'invalid query parameters: limit must be >= 1'],
      [{ invalid: { status: 'must be one of: A, B', limit: 'must be >= 1' } }, 'invalid query parameters: limit must be >= 1; status must be one of: A, B'],
      [{ missing: ['account_id'] }, 'missing required query parameters: account_id'],
      [{ missing: ['b', 'a'], invalid: { limit: 'must be >= 1' } }, 'missing required query parameters: a, b; invalid query parameters: limit must be >= 1'],
    ]
    for (const [fields, detail] of cases) {
      const error = badQuery(fields)
      assert.equal(error.code, 'BAD_QUERY_PARAMETER')
      assert.equal(error.message, detail)
      assert.deepEqual(members(error), specMembers)
    }
  })
})
