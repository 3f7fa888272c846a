import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ApiError } from '../../platform/errors.js'
import { canonicalEin, maskedEin, sortOrder } from './service.js'

describe('EIN', () => {
  const table: { ein: string; canonical?: string }[] = [
    { ein: '12-3456789', canonical: '12-3456789' },
    { ein: '123456789', canonical: '12-3456789' },
    { ein: '00-0000000', canonical: '00-0000000' },
    { ein: '12-345678' },
    { ein: '1234567890' },
    { ein: '123-456789' },
    { ein: '12 3456789' },
    { ein: '12-3456789 ' },
    { ein: '١٢-٣٤٥٦٧٨٩' },
    { ein: '' },
  ]
  for (const { ein, canonical } of table) {
    it(`${JSON.stringify(ein)} → ${canonical ?? '400 invalid.ein'}`, () => {
      if (canonical) return assert.equal(canonicalEin(ein), canonical)
      assert.throws(() => canonicalEin(ein), (e: unknown) => e instanceof ApiError && e.code === 'BAD_REQUEST_BODY' && Object.keys(e.extra.invalid as object).join() === 'ein')
    })
  }

  it('masks all but the last four digits, in the documented shape', () => {
    assert.equal(maskedEin('6789'), '**-***6789')
  })
})

describe('list filters', () => {
  it('reads sort_by most significant first and refuses a field named twice', () => {
    assert.deepEqual(sortOrder(['entity_name:desc', 'creation_time:asc']), [{ key: 'entity_name', descending: true }, { key: 'created_at', descending: false }])
    assert.deepEqual(sortOrder(undefined), [])
    assert.throws(() => sortOrder(['entity_name:asc', 'entity_name:desc']), (e: unknown) => e instanceof ApiError && e.code === 'BAD_QUERY_PARAMETER')
  })
})
