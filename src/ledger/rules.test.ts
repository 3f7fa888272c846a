import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { stableHiddenClass } from '../../test/support/hidden-classes.js'
import { available, decide, decideGroup, ledgerKindsCounted, limitBreach, resultCodes, type AccountState, type Command, type HoldState, type LedgerState, type Payment, type SpendLimit } from './rules.js'

const now = new Date('2031-01-01T00:00:00Z')
const account = (id: string, over: Partial<AccountState> = {}): AccountState => ({
  id, currency: 'USD', status: 'ACTIVE_OR_DISBURSED', accessStatus: 'ACTIVE', posted: 1000n, held: 0n, floor: 0n, ceiling: null, unverifiedHolder: null, ...over,
})
const hold = (over: Partial<HoldState> = {}): HoldState => ({
  id: 'h', debitAccountId: 'from', creditAccountId: 'to', currency: 'USD', amount: 100n, captured: 0n, status: 'PENDING', expiresAt: new Date(now.getTime() + 60_000), ...over,
})
const post = (amount: bigint, currency = 'USD'): Command => ({ id: 'x', kind: 'post', legs: [{ accountId: 'from', amount: -amount, currency }, { accountId: 'to', amount, currency }] })
const pending = (amount: bigint): Command => ({ id: 'x', kind: 'pending', debitAccountId: 'from', creditAccountId: 'to', amount, currency: 'USD', expiresAt: null })
const capture = (amount?: bigint, final = false): Command => ({ id: 'x', kind: 'post_pending', pendingId: 'h', amount, final })
/** A spend control the ledger decides: a per-transaction limit, or a rolling window that has spent `spent`. */
const limit = (amountLimit: bigint, over: Partial<SpendLimit> = {}): SpendLimit => ({
  id: 'sc', amountLimit, windowDays: null, direction: 'DEBITS', paymentTypes: [], paymentSubTypes: [], spent: 0n, ...over,
})
const controlled = (...limits: SpendLimit[]): Partial<AccountState> => ({ spendLimits: limits })
const decline = (amount: bigint): Command => ({ id: 'x', kind: 'decline', debitAccountId: 'from', creditAccountId: 'to', amount, currency: 'USD' })

interface Row {
  name: string
  from?: Partial<AccountState> | null
  to?: Partial<AccountState> | null
  hold?: Partial<HoldState> | null
  taken?: boolean
  partnerVerified?: boolean
  /** The request moves money on the holders' behalf (LedgerRequest.holderGate); true unless set. */
  holderGate?: boolean
  /** The request's payment (LedgerRequest.payment): an internal transfer unless set; null for none. */
  payment?: Payment | null
  command?: Command
  expected: string
}

// Each row sets up several failures at once where it can; the expected code is the one that wins.
// Every code of resultCodes has a row (checked below), in precedence order.
const table: Row[] = [
  { name: 'a used id beats everything', taken: true, from: null, partnerVerified: false, command: post(0n), expected: 'exists' },
  { name: 'a zero amount beats the gate', partnerVerified: false, command: post(0n), expected: 'amount_must_be_positive' },
  { name: 'an amount past 2^53 - 1', command: post(2n ** 53n), expected: 'amount_exceeds_limit' },
  { name: 'one leg', command: { id: 'x', kind: 'post', legs: [{ accountId: 'from', amount: -5n, currency: 'USD' }] }, expected: 'legs_too_few' },
  { name: 'one account twice', command: { id: 'x', kind: 'post', legs: [{ accountId: 'from', amount: -5n, currency: 'USD' }, { accountId: 'from', amount: 5n, currency: 'USD' }] }, expected: 'accounts_must_be_different' },
  { name: 'legs that do not sum to zero per currency', command: { id: 'x', kind: 'post', legs: [{ accountId: 'from', amount: -5n, currency: 'USD' }, { accountId: 'to', amount: 5n, currency: 'EUR' }] }, expected: 'legs_must_balance' },
  { name: 'the partner gate beats accounts', from: null, partnerVerified: false, expected: 'partner_not_verified' },
  { name: 'a void releases money: no gate', partnerVerified: false, hold: null, command: { id: 'x', kind: 'void_pending', pendingId: 'h' }, expected: 'pending_not_found' },
  { name: 'a missing hold beats its accounts', hold: null, from: null, command: capture(), expected: 'pending_not_found' },
  { name: 'a cleared hold', hold: { status: 'CLEARED' }, command: capture(), expected: 'pending_already_closed' },
  { name: 'a hold past its expiry cannot be captured', hold: { expiresAt: now }, command: capture(), expected: 'pending_expired' },
  { name: 'expiring a hold before its time', command: { id: 'x', kind: 'expire_pending', pendingId: 'h' }, from: { held: 100n }, expected: 'pending_not_expired' },
  { name: 'capturing more than remains', hold: { captured: 60n }, from: { held: 40n }, command: capture(41n), expected: 'amount_exceeds_pending' },
  { name: 'lowering a hold to nothing', from: { held: 100n }, command: { id: 'x', kind: 'adjust_pending', pendingId: 'h', delta: -100n }, expected: 'amount_exceeds_pending' },
  { name: 'missing originating beats currency and status', from: null, to: { status: 'CLOSED', currency: 'EUR' }, expected: 'account_not_found' },
  { name: 'missing receiving', to: null, expected: 'account_not_found' },
  { name: 'currency beats status and funds', from: { currency: 'EUR', status: 'CLOSED', posted: 0n }, expected: 'currency_mismatch' },
  { name: 'receiving currency', to: { currency: 'EUR', status: 'CLOSED' }, expected: 'currency_mismatch' },
  { name: 'closed originating beats funds', from: { status: 'CLOSED', posted: 0n }, expected: 'account_closed' },
  { name: 'suspended originating', from: { status: 'SUSPENDED', posted: 0n }, expected: 'account_not_active' },
  { name: 'status beats access status', from: { status: 'SUSPENDED', accessStatus: 'FROZEN' }, expected: 'account_not_active' },
  { name: 'frozen originating beats receiving status', from: { accessStatus: 'FROZEN' }, to: { status: 'CLOSED' }, expected: 'account_frozen' },
  { name: 'closed receiving beats funds', to: { status: 'CLOSED' }, from: { posted: 0n }, expected: 'account_closed' },
  { name: 'status beats the holders\' verification', from: { accessStatus: 'FROZEN', unverifiedHolder: 'PERSON' }, expected: 'account_frozen' },
  { name: 'an unverified holder beats funds', from: { unverifiedHolder: 'PERSON', posted: 0n }, expected: 'customer_not_verified' },
  { name: 'a receiving account\'s unverified business holder', to: { unverifiedHolder: 'BUSINESS' }, expected: 'business_not_verified' },
  { name: 'a hold for an unverified holder', from: { unverifiedHolder: 'PERSON' }, command: pending(10n), expected: 'customer_not_verified' },
  { name: 'the bank\'s own postings pass an unverified holder', holderGate: false, from: { unverifiedHolder: 'PERSON' }, to: { unverifiedHolder: 'BUSINESS' }, expected: 'ok' },
  { name: 'a void gives money back to an unverified holder', from: { held: 100n, unverifiedHolder: 'PERSON' }, command: { id: 'x', kind: 'void_pending', pendingId: 'h' }, expected: 'ok' },
  { name: 'an unverified holder beats spend controls', from: { unverifiedHolder: 'PERSON', ...controlled(limit(5n)) }, expected: 'customer_not_verified' },
  { name: 'a spend control beats funds', from: { posted: 0n, ...controlled(limit(5n)) }, expected: 'spend_control_violation' },
  { name: 'a rolling window counts what it has spent', from: controlled(limit(100n, { windowDays: 7, spent: 95n })), command: post(10n), expected: 'spend_control_violation' },
  { name: 'a receiving account\'s control on credits', to: controlled(limit(5n, { direction: 'CREDITS' })), expected: 'spend_control_violation' },
  { name: 'a hold counts against a window', from: controlled(limit(100n, { windowDays: 1, spent: 95n })), command: pending(10n), expected: 'spend_control_violation' },
  { name: 'a control naming this payment type and sub-type', payment: { type: 'ACH', subType: 'ACH.OUTGOING_CREDIT' }, from: controlled(limit(5n, { paymentTypes: ['ACH'], paymentSubTypes: ['ACH.OUTGOING_CREDIT'] })), expected: 'spend_control_violation' },
  { name: 'a window filled to its limit exactly posts', from: controlled(limit(100n, { windowDays: 7, spent: 90n })), command: post(10n), expected: 'ok' },
  { name: 'a control on debits leaves credits alone', to: controlled(limit(5n)), expected: 'ok' },
  { name: 'a control of another payment type does not govern', from: controlled(limit(5n, { paymentTypes: ['ACH'] })), expected: 'ok' },
  { name: 'a control with sub-types governs only payments of them', from: controlled(limit(5n, { paymentSubTypes: ['ACH.OUTGOING_CREDIT'] })), expected: 'ok' },
  { name: 'a capture is not counted again where it was held', from: { posted: 100n, held: 100n, ...controlled(limit(5n)) }, command: capture(), expected: 'ok' },
  { name: 'a capture counts where the money arrives', from: { held: 100n }, to: controlled(limit(5n, { direction: 'CREDITS' })), command: capture(), expected: 'spend_control_violation' },
  { name: 'a hold into an account meets its credit controls once captured', to: controlled(limit(5n, { direction: 'CREDITS' })), command: pending(10n), expected: 'ok' },
  { name: 'what is not a payment passes spend controls', payment: null, from: controlled(limit(5n)), to: controlled(limit(5n, { direction: 'CREDITS' })), expected: 'ok' },
  { name: 'funds beat the ceiling', from: { posted: 5n }, to: { ceiling: 0n, posted: 0n }, expected: 'insufficient_funds' },
  { name: 'held funds are not available', from: { posted: 100n, held: 95n }, command: post(10n), expected: 'insufficient_funds' },
  { name: 'a negative floor is an overdraft', from: { posted: 0n, floor: -50n }, command: post(51n), expected: 'insufficient_funds' },
  { name: 'a hold checks funds', from: { posted: 5n }, command: pending(10n), expected: 'insufficient_funds' },
  { name: 'raising a hold checks funds', from: { posted: 100n, held: 100n }, command: { id: 'x', kind: 'adjust_pending', pendingId: 'h', delta: 1n }, expected: 'insufficient_funds' },
  { name: 'the ceiling', to: { posted: 100n, ceiling: 105n }, command: post(10n), expected: 'ceiling_exceeded' },
  { name: 'a balance past 2^53 - 1', to: { posted: 2n ** 53n - 5n }, command: post(10n), expected: 'balance_overflow' },
  { name: 'exactly to the floor posts', from: { posted: 10n }, command: post(10n), expected: 'ok' },
  { name: 'overdraft within the limit posts', from: { posted: 0n, floor: -50n }, command: post(50n), expected: 'ok' },
  { name: 'an unbounded floor posts anything', from: { posted: 0n, floor: null }, command: post(10_000n), expected: 'ok' },
  { name: 'a capture spends what the hold reserved', from: { posted: 100n, held: 100n }, command: capture(), expected: 'ok' },
  { name: 'a partial capture', from: { posted: 100n, held: 100n }, command: capture(30n), expected: 'ok' },
  { name: 'a void needs no receiving account and no active status', from: { held: 100n, status: 'SUSPENDED' }, to: null, command: { id: 'x', kind: 'void_pending', pendingId: 'h' }, expected: 'ok' },
  { name: 'a decline past 2^53 - 1', command: decline(2n ** 53n), expected: 'amount_exceeds_limit' },
  { name: 'a decline with a used id', taken: true, command: decline(10n), expected: 'exists' },
  { name: 'a decline of a negative amount', command: decline(-1n), expected: 'amount_must_be_positive' },
  { name: 'a decline moves nothing: no gate; its accounts must exist', partnerVerified: false, from: null, command: decline(10n), expected: 'account_not_found' },
  { name: 'a decline names accounts in its currency', to: { currency: 'EUR' }, command: decline(10n), expected: 'currency_mismatch' },
  { name: 'a decline is recorded whatever the status, access, funds and ceiling', partnerVerified: false, from: { status: 'CLOSED', accessStatus: 'FROZEN', posted: 0n }, to: { status: 'SUSPENDED', posted: 0n, ceiling: 0n }, command: decline(10_000n), expected: 'ok' },
  { name: 'a decline of a zero-amount authorization', command: decline(0n), expected: 'ok' },
  { name: 'an expiry in time', from: { held: 100n }, hold: { expiresAt: now }, command: { id: 'x', kind: 'expire_pending', pendingId: 'h' }, expected: 'ok' },
]

const show = (s: LedgerState) => JSON.stringify([[...s.accounts.values()], [...s.holds.values()], [...s.taken]], (_k, v) => (typeof v === 'bigint' ? v.toString() : v))

function stateOf(row: Row): LedgerState {
  const s: LedgerState = { accounts: new Map(), holds: new Map(), taken: new Set(row.taken ? ['x'] : []) }
  if (row.from !== null) s.accounts.set('from', account('from', row.from))
  if (row.to !== null) s.accounts.set('to', account('to', row.to))
  if (row.hold !== null) s.holds.set('h', hold(row.hold))
  return s
}

describe('posting rules, in precedence order', () => {
  it('has a row for every result code', () => {
    assert.deepEqual(new Set(resultCodes), new Set(table.map((r) => r.expected).filter((c) => c !== 'ok')))
  })
  for (const row of table) {
    it(`${row.name} → ${row.expected}`, () => {
      const state = stateOf(row)
      const before = show(state)
      const payment = row.payment === null ? undefined : row.payment ?? { type: 'INTERNAL_TRANSFER' as const }
      const d = decide(state, row.command ?? post(10n), { now, partnerVerified: row.partnerVerified ?? true, holderGate: row.holderGate ?? true, payment })
      if (row.expected === 'ok') {
        assert.ok(d.ok, JSON.stringify(!d.ok && d.rejection))
        for (const a of state.accounts.values()) assert.equal(limitBreach(a), undefined)
      } else {
        assert.ok(!d.ok, `accepted; expected ${row.expected}`)
        assert.equal(d.rejection.code, row.expected, d.rejection.detail)
        // A rejection leaves every state exactly as it was.
        assert.equal(show(state), before)
      }
    })
  }
})

describe('what an accepted command does', () => {
  it('post moves posted balances, leg by leg, summing to zero', () => {
    const s = stateOf({ name: '', to: { posted: 0n }, expected: 'ok' })
    s.accounts.set('fee', account('fee', { posted: 0n }))
    const d = decide(s, { id: 'x', kind: 'post', legs: [{ accountId: 'from', amount: -310n, currency: 'USD' }, { accountId: 'to', amount: 300n, currency: 'USD' }, { accountId: 'fee', amount: 10n, currency: 'USD' }] }, { now, partnerVerified: true })
    assert.ok(d.ok)
    assert.deepEqual(d.applied.postings.map((p) => [p.accountId, p.amount, p.postedAfter]), [['from', -310n, 690n], ['to', 300n, 300n], ['fee', 10n, 10n]])
  })

  it('builds what it applied through one hidden class per kind (a batch decides hundreds per commit)', () => {
    const applied = (make: (i: number) => Command) => (i: number) => {
      const s = stateOf({ name: '', hold: {}, from: { held: 100n }, expected: 'ok' })
      const d = decide(s, make(i), { now, partnerVerified: true })
      assert.ok(d.ok)
      return d.applied
    }
    assert.ok(stableHiddenClass(applied((i) => post(BigInt(i + 1)))))
    assert.ok(stableHiddenClass(applied((i) => pending(BigInt(i + 1)))))
    assert.ok(stableHiddenClass(applied((i) => capture(BigInt((i % 50) + 1)))))
  })

  it('a hold reserves, partial captures post, final releases the rest; available never moves on capture', () => {
    const s: LedgerState = { accounts: new Map([['from', account('from')], ['to', account('to', { posted: 0n })]]), holds: new Map(), taken: new Set() }
    const ctx = { now, partnerVerified: true }
    assert.ok(decide(s, { ...pending(300n), id: 'h' }, ctx).ok)
    assert.equal(available(s.accounts.get('from')!), 700n)
    assert.ok(decide(s, { id: 'c1', kind: 'post_pending', pendingId: 'h', amount: 100n, final: false }, ctx).ok)
    assert.deepEqual([s.accounts.get('from')!.posted, s.accounts.get('from')!.held, s.holds.get('h')!.status], [900n, 200n, 'PENDING'])
    assert.ok(decide(s, { id: 'a1', kind: 'adjust_pending', pendingId: 'h', delta: 50n }, ctx).ok)
    assert.equal(s.accounts.get('from')!.held, 250n)
    assert.ok(decide(s, { id: 'c2', kind: 'post_pending', pendingId: 'h', amount: 50n, final: true }, ctx).ok)
    assert.deepEqual([s.accounts.get('from')!.posted, s.accounts.get('from')!.held, s.holds.get('h')!.status, s.holds.get('h')!.captured], [850n, 0n, 'CLEARED', 150n])
    assert.equal(s.accounts.get('to')!.posted, 150n)
  })

  it('a decline reserves nothing: a DECLINED hold of 0, balances untouched; no command can act on it', () => {
    const s: LedgerState = { accounts: new Map([['from', account('from', { posted: 100n })], ['to', account('to', { posted: 0n })]]), holds: new Map(), taken: new Set() }
    const ctx = { now, partnerVerified: true }
    const d = decide(s, { ...decline(500n), id: 'd' }, ctx)
    assert.ok(d.ok)
    assert.deepEqual([d.applied.amount, d.applied.postings, d.applied.hold?.status, d.applied.hold?.amount], [500n, [], 'DECLINED', 0n])
    assert.deepEqual([s.accounts.get('from')!.posted, s.accounts.get('from')!.held, s.accounts.get('to')!.posted], [100n, 0n, 0n])
    for (const c of [capture(), { id: 'y', kind: 'void_pending', pendingId: 'd' }, { id: 'y', kind: 'adjust_pending', pendingId: 'd', delta: 5n }] as Command[]) {
      const r = decide(s, { ...c, id: 'y', ...('pendingId' in c ? { pendingId: 'd' } : {}) } as Command, ctx)
      assert.ok(!r.ok && r.rejection.code === 'pending_already_closed', c.kind)
    }
    const expire = decide(s, { id: 'y', kind: 'expire_pending', pendingId: 'd' }, { now: new Date(now.getTime() + 1e12), partnerVerified: true })
    assert.ok(!expire.ok && expire.rejection.code === 'pending_already_closed')
  })

  it('a linked group applies all or nothing', () => {
    const s: LedgerState = { accounts: new Map([['from', account('from', { posted: 100n })], ['to', account('to', { posted: 0n })]]), holds: new Map(), taken: new Set() }
    const before = show(s)
    const d = decideGroup(s, [{ ...post(60n), id: 'principal' }, { ...post(50n), id: 'fee' }], { now, partnerVerified: true })
    assert.ok(!d.ok)
    assert.deepEqual([d.index, d.rejection.code], [1, 'insufficient_funds'])
    assert.equal(show(s), before)
    const ok = decideGroup(s, [{ ...post(60n), id: 'principal' }, { ...post(40n), id: 'fee' }], { now, partnerVerified: true })
    assert.ok(ok.ok)
    assert.equal(s.accounts.get('from')!.posted, 0n)
  })

  it('payments fill a rolling window in turn, and a group refused puts back what it had counted', () => {
    const s: LedgerState = { accounts: new Map([['from', account('from', controlled(limit(100n, { windowDays: 7, spent: 20n })))], ['to', account('to', { posted: 0n })]]), holds: new Map(), taken: new Set() }
    const ctx = { now, partnerVerified: true, payment: { type: 'INTERNAL_TRANSFER' } as const }
    assert.ok(decide(s, { ...post(50n), id: 'a' }, ctx).ok)
    assert.equal(s.accounts.get('from')!.spendLimits![0].spent, 70n)
    const before = show(s)
    const group = decideGroup(s, [{ ...post(20n), id: 'b' }, { ...post(20n), id: 'c' }], ctx)
    assert.ok(!group.ok)
    assert.deepEqual([group.index, group.rejection.code], [1, 'spend_control_violation'])
    assert.equal(show(s), before)
    assert.ok(decide(s, { ...post(30n), id: 'd' }, ctx).ok)
    const full = decide(s, { ...post(1n), id: 'e' }, ctx)
    assert.ok(!full.ok && full.rejection.code === 'spend_control_violation')
  })

})

describe('what a card window counts of the ledger\'s payments (ledgerKindsCounted)', () => {
  const control = (over: Partial<Parameters<typeof ledgerKindsCounted>[0]> = {}) => ({ isActive: true, actionDecline: true, paymentTypes: [], merchantCategoryCodes: [], ...over })
  const cases: [string, Parameters<typeof ledgerKindsCounted>[0], string[]][] = [
    ['no payment type: both rails', control(), ['ACH', 'INTERNAL_TRANSFER']],
    ['the card and internal transfers', control({ paymentTypes: ['CARD', 'INTERNAL_TRANSFER'] }), ['INTERNAL_TRANSFER']],
    ['the card only', control({ paymentTypes: ['CARD'] }), []],
    ['merchant codes: card terms', control({ merchantCategoryCodes: ['5411'] }), []],
    ['inactive', control({ isActive: false }), []],
    ['opening a case only', control({ actionDecline: false }), []],
  ]
  for (const [name, c, kinds] of cases) it(name, () => assert.deepEqual(ledgerKindsCounted(c), kinds))
})
