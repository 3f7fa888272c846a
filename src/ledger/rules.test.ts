import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { available, decide, limitBreach, type AccountState, type Operation } from './rules.js'

const account = (id: string, over: Partial<AccountState> = {}): AccountState => ({
  id, currency: 'USD', status: 'ACTIVE_OR_DISBURSED', accessStatus: 'ACTIVE', posted: 1000n, held: 0n, floor: 0n, ceiling: null, ...over,
})

const move = (amount: bigint, currency = 'USD') => ({ debitAccountId: 'from', creditAccountId: 'to', amount, currency })

interface Row { name: string; from?: Partial<AccountState> | null; to?: Partial<AccountState> | null; op?: Operation; expected: string }

// Each row sets up several failures at once where it can; the expected code is the one that wins.
const table: Row[] = [
  { name: 'missing originating beats everything', from: null, to: null, op: { kind: 'post', movement: move(10n, 'EUR') }, expected: 'ACCOUNT_NOT_FOUND' },
  { name: 'missing receiving beats currency and status', to: null, from: { status: 'CLOSED', currency: 'EUR' }, expected: 'ACCOUNT_NOT_FOUND' },
  { name: 'originating currency beats status and funds', from: { currency: 'EUR', status: 'CLOSED', posted: 0n }, expected: 'UNABLE_TO_TRANSACT' },
  { name: 'receiving currency beats status', to: { currency: 'EUR', status: 'CLOSED' }, from: { status: 'SUSPENDED' }, expected: 'UNABLE_TO_TRANSACT' },
  { name: 'closed originating beats funds', from: { status: 'CLOSED', posted: 0n }, expected: 'ACCOUNT_CLOSED' },
  { name: 'suspended originating', from: { status: 'SUSPENDED', posted: 0n }, expected: 'IMPROPER_ACCOUNT_STATUS' },
  { name: 'status beats access status', from: { status: 'SUSPENDED', accessStatus: 'FROZEN' }, expected: 'IMPROPER_ACCOUNT_STATUS' },
  { name: 'frozen originating beats receiving status', from: { accessStatus: 'FROZEN' }, to: { status: 'CLOSED' }, expected: 'IMPROPER_ACCOUNT_ACCESS_STATUS' },
  { name: 'closed receiving beats funds', to: { status: 'CLOSED' }, from: { posted: 0n }, expected: 'ACCOUNT_CLOSED' },
  { name: 'frozen receiving', to: { accessStatus: 'FROZEN' }, expected: 'IMPROPER_ACCOUNT_ACCESS_STATUS' },
  { name: 'funds beat ceiling', from: { posted: 5n }, to: { ceiling: 0n, posted: 0n }, expected: 'INSUFFICIENT_FUNDS' },
  { name: 'held funds are not available', from: { posted: 100n, held: 95n }, op: { kind: 'post', movement: move(10n) }, expected: 'INSUFFICIENT_FUNDS' },
  { name: 'a negative floor is an overdraft', from: { posted: 0n, floor: -50n }, op: { kind: 'post', movement: move(51n) }, expected: 'INSUFFICIENT_FUNDS' },
  { name: 'ceiling', to: { posted: 100n, ceiling: 105n }, op: { kind: 'post', movement: move(10n) }, expected: 'BALANCE_VIOLATION' },
  { name: 'a hold checks funds too', from: { posted: 5n }, op: { kind: 'hold', movement: move(10n) }, expected: 'INSUFFICIENT_FUNDS' },
  { name: 'capturing a settled hold', op: { kind: 'capture', movement: move(10n), holdStatus: 'CLEARED' }, from: { status: 'CLOSED' }, expected: 'INVALID_STATUS' },
  { name: 'releasing an expired hold', op: { kind: 'release', movement: move(10n), holdStatus: 'EXPIRED' }, expected: 'INVALID_STATUS' },
  { name: 'capture re-checks the receiving account', from: { held: 10n }, to: { status: 'CLOSED' }, op: { kind: 'capture', movement: move(10n), holdStatus: 'PENDING' }, expected: 'ACCOUNT_CLOSED' },
  { name: 'exactly to the floor posts', from: { posted: 10n }, op: { kind: 'post', movement: move(10n) }, expected: 'ok' },
  { name: 'overdraft within the limit posts', from: { posted: 0n, floor: -50n }, op: { kind: 'post', movement: move(50n) }, expected: 'ok' },
  { name: 'exactly to the ceiling posts', to: { posted: 95n, ceiling: 105n }, op: { kind: 'post', movement: move(10n) }, expected: 'ok' },
  { name: 'an unbounded floor posts anything', from: { posted: 0n, floor: null }, op: { kind: 'post', movement: move(10_000n) }, expected: 'ok' },
  { name: 'capture spends what the hold reserved', from: { posted: 10n, held: 10n }, op: { kind: 'capture', movement: move(10n), holdStatus: 'PENDING' }, expected: 'ok' },
  { name: 'release needs no receiving account (a batch releasing a due hold has not locked it)', from: { held: 10n }, to: null, op: { kind: 'release', movement: move(10n), holdStatus: 'PENDING' }, expected: 'ok' },
  { name: 'release needs its originating account', from: null, op: { kind: 'release', movement: move(10n), holdStatus: 'PENDING' }, expected: 'ACCOUNT_NOT_FOUND' },
  { name: 'release needs no active status', from: { held: 10n, status: 'SUSPENDED' }, to: { status: 'CLOSED' }, op: { kind: 'release', movement: move(10n), holdStatus: 'PENDING' }, expected: 'ok' },
]

describe('posting rules, in precedence order', () => {
  for (const row of table) {
    it(`${row.name} → ${row.expected}`, () => {
      const states = new Map<string, AccountState>()
      if (row.from !== null) states.set('from', account('from', row.from))
      if (row.to !== null) states.set('to', account('to', row.to))
      const before = JSON.stringify([...states.values()], (_k, v) => (typeof v === 'bigint' ? v.toString() : v))
      const outcome = decide(states, row.op ?? { kind: 'post', movement: move(10n) })
      if (row.expected === 'ok') {
        assert.ok(outcome.ok, JSON.stringify(!outcome.ok && outcome.rejection))
        for (const s of states.values()) assert.equal(limitBreach(s), undefined)
      } else {
        assert.ok(!outcome.ok)
        assert.equal(outcome.rejection.code, row.expected, outcome.rejection.detail)
        // A rejection leaves every account exactly as it was.
        assert.equal(JSON.stringify([...states.values()], (_k, v) => (typeof v === 'bigint' ? v.toString() : v)), before)
      }
    })
  }
})

describe('what an accepted operation does', () => {
  it('post moves posted balances and sums to zero', () => {
    const states = new Map([['from', account('from')], ['to', account('to', { posted: 0n })]])
    const o = decide(states, { kind: 'post', movement: move(300n) })
    assert.ok(o.ok)
    assert.deepEqual(o.postings.map((p) => [p.accountId, p.amount, p.postedAfter, p.availableAfter]), [['from', -300n, 700n, 700n], ['to', 300n, 300n, 300n]])
  })

  it('hold reserves, capture posts, and available never moves on capture', () => {
    const states = new Map([['from', account('from')], ['to', account('to', { posted: 0n })]])
    const h = decide(states, { kind: 'hold', movement: move(300n) })
    assert.ok(h.ok && h.postings.length === 0)
    assert.equal(states.get('from')!.held, 300n)
    assert.equal(available(states.get('from')!), 700n)
    const c = decide(states, { kind: 'capture', movement: move(300n), holdStatus: 'PENDING' })
    assert.ok(c.ok)
    assert.equal(states.get('from')!.held, 0n)
    assert.equal(states.get('from')!.posted, 700n)
    assert.equal(states.get('to')!.posted, 300n)
  })

  it('release gives the reservation back', () => {
    const states = new Map([['from', account('from', { held: 300n })], ['to', account('to')]])
    const r = decide(states, { kind: 'release', movement: move(300n), holdStatus: 'PENDING' })
    assert.ok(r.ok)
    assert.equal(states.get('from')!.held, 0n)
    assert.equal(states.get('from')!.posted, 1000n)
  })
})
