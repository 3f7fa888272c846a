import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { KnownAccounts } from './known-accounts.js'
import type { LockedAccount } from './store.js'

const account = (id: string, posted: bigint): LockedAccount => ({
  workspace_id: 'w', id, kind: 'ACCOUNT', account_number: `n-${id}`, currency: 'USD', status: 'ACTIVE', access_status: 'ACTIVE', posted, held: 0n, floor: 0n, ceiling: null, unverified_holder: null, spend_controlled: false,
})
const key = (id: string) => ({ workspaceId: 'w', id })

describe('KnownAccounts', () => {
  it('hands a batch copies: a commit while it decides does not change what it decides on', () => {
    const known = new KnownAccounts(10, 1000)
    known.learn(new Map([['w/a', account('a', 100n)]]))
    const deciding = known.all([key('a')])!
    known.committed(account('a', 250n))
    assert.equal(deciding.get('w/a')!.posted, 100n)
    assert.equal(known.all([key('a')])!.get('w/a')!.posted, 250n)
  })

  it('keeps its own records: changing what it was given or handed changes nothing kept', () => {
    const known = new KnownAccounts(10, 1000)
    const read = account('a', 100n)
    known.learn(new Map([['w/a', read]]))
    read.posted = 1n
    known.all([key('a')])!.get('w/a')!.posted = 2n
    assert.equal(known.all([key('a')])!.get('w/a')!.posted, 100n)
    const committed = account('a', 300n)
    known.committed(committed)
    committed.posted = 3n
    assert.equal(known.all([key('a')])!.get('w/a')!.posted, 300n)
  })

  it('forgets the least recently committed first, and knows nothing of a forgotten account until it cools', () => {
    const known = new KnownAccounts(2, 60_000)
    known.learn(new Map([['w/a', account('a', 1n)], ['w/b', account('b', 1n)]]))
    known.committed(account('a', 2n))
    known.committed(account('c', 1n))
    assert.equal(known.all([key('b')]), undefined, 'b went first: a was committed since')
    assert.ok(known.all([key('a'), key('c')]))
    known.forget([key('a')])
    known.committed(account('a', 5n))
    assert.equal(known.all([key('a')]), undefined, 'a is cooling')
  })
})
