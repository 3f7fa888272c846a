import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Queryable } from '../platform/db.js'
import { accruedInterestOf, provideAccruedInterest } from './accrued-interest-port.js'

const db = {} as Queryable

describe('the accrued interest port', () => {
  it('shows nothing before the interest domain provides a reader', async () => {
    assert.deepEqual(await accruedInterestOf(db, 'w', [{ id: 'a', interest_product_id: 'p' }]), new Map())
  })

  it('reads once for all the accounts with an INTEREST product, and not at all without one', async () => {
    const calls: string[][] = []
    provideAccruedInterest(async (_db, _ws, ids) => {
      calls.push([...ids])
      return new Map([['a', 7n]])
    })
    const page = [{ id: 'a', interest_product_id: 'p' }, { id: 'b', interest_product_id: null }, { id: 'c', interest_product_id: 'p' }]
    // An account with a product and no position yet shows 0; one without a product is absent.
    assert.deepEqual(await accruedInterestOf(db, 'w', page), new Map([['a', 7n], ['c', 0n]]))
    assert.deepEqual(calls, [['a', 'c']])
    assert.deepEqual(await accruedInterestOf(db, 'w', [{ id: 'b', interest_product_id: null }]), new Map())
    assert.equal(calls.length, 1)
  })
})
