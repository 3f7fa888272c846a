import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { approvalBounds, decide, decideUnderLock, declineReasons, gatewayDecision, mccListed, velocityCountMax, type AuthorizationFacts, type Decision, type SpendControlFacts } from './decide.js'

const control = (over: Partial<SpendControlFacts> = {}): SpendControlFacts => ({
  id: 'sc', isActive: true, actionDecline: true, amountLimit: 1000n, direction: null, merchantCategoryCodes: [], paymentTypes: [], paymentSubTypes: [], windowDays: null, spentInWindow: 0n, ...over,
})
const facts = (over: Partial<AuthorizationFacts> = {}): AuthorizationFacts => ({
  direction: 'DEBITS', amount: 500n, partialAllowed: false, mcc: '5411', subType: null,
  card: { status: 'ACTIVE', expired: false }, checks: {}, account: { status: 'ACTIVE_OR_DISBURSED', accessStatus: 'ACTIVE' },
  controls: [], recentCount: 0, available: 10_000n, gateway: false, ...over,
})

/** Everything wrong at once: each row below removes the failures that precede its expected reason. */
const allWrong: Partial<AuthorizationFacts> = {
  card: { status: 'TERMINATED', expired: false }, checks: { cvv: false, expiration: false, pin: false },
  account: { status: 'CLOSED', accessStatus: 'FROZEN' }, controls: [control({ amountLimit: 10n })], recentCount: velocityCountMax, available: 0n,
}
const ok = { card: { status: 'ACTIVE', expired: false }, checks: {}, account: { status: 'ACTIVE_OR_DISBURSED', accessStatus: 'ACTIVE' }, controls: [], recentCount: 0 }

interface Row { name: string; facts: AuthorizationFacts; expected: string }

// In precedence order: a row per decline reason, each set up with every later failure present too.
const table: Row[] = [
  { name: 'a terminated card beats everything', facts: facts(allWrong), expected: 'CARD_TERMINATED' },
  { name: 'an expired card (read as TERMINATED) is CARD_EXPIRED', facts: facts({ ...allWrong, card: { status: 'TERMINATED', expired: true } }), expected: 'CARD_EXPIRED' },
  { name: 'an unactivated card', facts: facts({ ...allWrong, card: { status: 'UNACTIVATED', expired: false } }), expected: 'CARD_NOT_ACTIVE' },
  { name: 'a suspended card', facts: facts({ ...allWrong, card: { status: 'SUSPENDED', expired: false } }), expected: 'CARD_NOT_ACTIVE' },
  { name: 'a wrong CVV beats a wrong expiration and PIN', facts: facts({ ...allWrong, card: ok.card }), expected: 'INVALID_CVV' },
  { name: 'a wrong expiration beats a wrong PIN', facts: facts({ ...allWrong, card: ok.card, checks: { cvv: true, expiration: false, pin: false } }), expected: 'INVALID_EXPIRATION' },
  { name: 'a wrong PIN beats the account', facts: facts({ ...allWrong, card: ok.card, checks: { pin: false } }), expected: 'INVALID_PIN' },
  { name: 'a closed account beats its access status', facts: facts({ ...allWrong, card: ok.card, checks: {} }), expected: 'ACCOUNT_CLOSED' },
  { name: 'an account not active', facts: facts({ ...allWrong, card: ok.card, checks: {}, account: { status: 'SUSPENDED', accessStatus: 'FROZEN' } }), expected: 'IMPROPER_ACCOUNT_STATUS' },
  { name: 'a frozen account beats the spend controls', facts: facts({ ...allWrong, ...ok, account: { status: 'ACTIVE_OR_DISBURSED', accessStatus: 'FROZEN' }, controls: allWrong.controls, recentCount: velocityCountMax, available: 0n }), expected: 'IMPROPER_ACCOUNT_ACCESS_STATUS' },
  { name: 'a spend control beats velocity and funds', facts: facts({ ...ok, controls: [control({ amountLimit: 10n })], recentCount: velocityCountMax, available: 0n }), expected: 'SPEND_CONTROL_VIOLATION' },
  { name: 'velocity beats funds', facts: facts({ ...ok, recentCount: velocityCountMax, available: 0n }), expected: 'SUSPECTED_FRAUD' },
  { name: 'funds', facts: facts({ ...ok, available: 499n }), expected: 'INSUFFICIENT_FUNDS' },
]

const outcomeOf = (d: Decision): string => (d.outcome === 'decline' ? d.reason : d.outcome)

describe('the decision order', () => {
  for (const row of table) it(row.name, () => assert.equal(outcomeOf(decide(row.facts)), row.expected))

  it('has a row for every reason Keel decides itself (the gateway\'s two come from gatewayDecision, the ledger\'s two from its rules)', () => {
    const covered = new Set(table.map((r) => r.expected))
    assert.deepEqual(declineReasons.filter((r) => !covered.has(r)), ['BALANCE_VIOLATION', 'IMPROPER_CUSTOMER_VERIFICATION_STATUS', 'GATEWAY_DECLINED', 'GATEWAY_ERROR'])
  })

  it('approves in full when everything passes', () => assert.deepEqual(decide(facts()), { outcome: 'approve', amount: 500n, partial: false }))
  it('approves part when the merchant allows it and the funds fall short', () => assert.deepEqual(decide(facts({ available: 120n, partialAllowed: true })), { outcome: 'approve', amount: 120n, partial: true }))
  it('declines when the funds are zero, even with partial allowed', () => assert.equal(outcomeOf(decide(facts({ available: 0n, partialAllowed: true }))), 'INSUFFICIENT_FUNDS'))
  it('a credit (refund, OCT) needs no funds and no velocity room', () => assert.deepEqual(decide(facts({ direction: 'CREDITS', available: 0n, recentCount: velocityCountMax })), { outcome: 'approve', amount: 500n, partial: false }))
  it('a frozen account takes no credit either (the ledger refuses every leg on it)', () => assert.equal(outcomeOf(decide(facts({ direction: 'CREDITS', account: { status: 'ACTIVE_OR_DISBURSED', accessStatus: 'FROZEN' } }))), 'IMPROPER_ACCOUNT_ACCESS_STATUS'))
  it('asks the gateway once everything Keel checks passes, whatever the balance', () => assert.equal(outcomeOf(decide(facts({ gateway: true, available: 0n }))), 'ask_gateway'))
  it('never asks the gateway past a decline', () => assert.equal(outcomeOf(decide(facts({ gateway: true, card: { status: 'SUSPENDED', expired: false } }))), 'CARD_NOT_ACTIVE'))
})

describe('spend controls', () => {
  const cases: [string, Partial<SpendControlFacts>, Partial<AuthorizationFacts>, string][] = [
    ['per transaction: at the limit passes', { amountLimit: 500n }, {}, 'approve'],
    ['per transaction: over the limit fails', { amountLimit: 499n }, {}, 'SPEND_CONTROL_VIOLATION'],
    ['rolling window: spent + amount over the limit fails', { amountLimit: 1000n, windowDays: 7, spentInWindow: 501n }, {}, 'SPEND_CONTROL_VIOLATION'],
    ['rolling window: spent + amount at the limit passes', { amountLimit: 1000n, windowDays: 7, spentInWindow: 500n }, {}, 'approve'],
    ['rolling window with partial: approves the room left', { amountLimit: 1000n, windowDays: 7, spentInWindow: 800n }, { partialAllowed: true }, 'approve:200'],
    ['MCC block list (limit 0 for the listed codes): listed fails', { amountLimit: 0n, merchantCategoryCodes: ['5411'] }, {}, 'SPEND_CONTROL_VIOLATION'],
    ['MCC block list: another code passes', { amountLimit: 0n, merchantCategoryCodes: ['5411'] }, { mcc: '5812' }, 'approve'],
    ['MCC range: inside fails', { amountLimit: 0n, merchantCategoryCodes: ['5811-5814'] }, { mcc: '5812' }, 'SPEND_CONTROL_VIOLATION'],
    ['MCC range: outside passes', { amountLimit: 0n, merchantCategoryCodes: ['5811-5814'] }, { mcc: '5815' }, 'approve'],
    ['direction CREDITS does not govern a debit', { amountLimit: 0n, direction: 'CREDITS' }, {}, 'approve'],
    ['direction DEBITS governs a debit', { amountLimit: 0n, direction: 'DEBITS' }, {}, 'SPEND_CONTROL_VIOLATION'],
    ['direction CREDITS governs a credit', { amountLimit: 0n, direction: 'CREDITS' }, { direction: 'CREDITS' }, 'SPEND_CONTROL_VIOLATION'],
    ['no direction governs a debit', { amountLimit: 0n, direction: null }, {}, 'SPEND_CONTROL_VIOLATION'],
    ['no direction leaves a credit alone (the spec: debits only)', { amountLimit: 0n, direction: null }, { direction: 'CREDITS' }, 'approve'],
    ['inactive controls are ignored', { amountLimit: 0n, isActive: false }, {}, 'approve'],
    ['a control that only opens a case does not decline', { amountLimit: 0n, actionDecline: false }, {}, 'approve'],
    ['a control for ACH only does not govern a card', { amountLimit: 0n, paymentTypes: ['ACH'] }, {}, 'approve'],
    ['a control for ATM withdrawals governs one', { amountLimit: 100n, paymentSubTypes: ['CARD.ATM_WITHDRAWAL'] }, { subType: 'CARD.ATM_WITHDRAWAL' }, 'SPEND_CONTROL_VIOLATION'],
    ['a control for ATM withdrawals ignores a purchase', { amountLimit: 100n, paymentSubTypes: ['CARD.ATM_WITHDRAWAL'] }, {}, 'approve'],
  ]
  for (const [name, c, f, expected] of cases) {
    it(name, () => {
      const d = decide(facts({ ...f, controls: [control(c)] }))
      assert.equal(d.outcome === 'approve' && d.partial ? `approve:${d.amount}` : outcomeOf(d), expected)
    })
  }
  it('MCC lists match codes and inclusive ranges', () => {
    assert.ok(mccListed(['5811-5814'], '5811'))
    assert.ok(mccListed(['5811-5814'], '5814'))
    assert.ok(!mccListed(['5811-5814'], '5810'))
    assert.ok(!mccListed(['5411'], null))
    assert.ok(mccListed(['0742'], '742'))
    assert.ok(!mccListed(['5411'], '54x1'))
  })
})

describe('the gateway\'s answer', () => {
  const f = facts({ gateway: true, partialAllowed: true })
  it('approve', () => assert.deepEqual(gatewayDecision(f, { kind: 'approve' }), { outcome: 'approve', amount: 500n, partial: false }))
  it('partial', () => assert.deepEqual(gatewayDecision(f, { kind: 'approve', amount: 200n }), { outcome: 'approve', amount: 200n, partial: true }))
  it('partial the merchant cannot take is a decline', () => assert.equal(outcomeOf(gatewayDecision(facts({ gateway: true }), { kind: 'approve', amount: 200n })), 'GATEWAY_DECLINED'))
  it('an approval above the request is capped at it', () => assert.deepEqual(gatewayDecision(f, { kind: 'approve', amount: 900n }), { outcome: 'approve', amount: 500n, partial: false }))
  it('decline', () => assert.equal(outcomeOf(gatewayDecision(f, { kind: 'decline' })), 'GATEWAY_DECLINED'))
  it('time-out or error without stand-in', () => assert.equal(outcomeOf(gatewayDecision(f, { kind: 'unavailable', standin: false })), 'GATEWAY_ERROR'))
  it('time-out or error with stand-in: Keel decides on the balance', () => {
    assert.equal(outcomeOf(gatewayDecision(f, { kind: 'unavailable', standin: true })), 'approve')
    assert.equal(outcomeOf(gatewayDecision(facts({ gateway: true, available: 0n }), { kind: 'unavailable', standin: true })), 'INSUFFICIENT_FUNDS')
  })
})

describe('the windows and velocity again, under the account\'s spend lock', () => {
  const window = (spent: bigint) => control({ amountLimit: 1000n, windowDays: 7, spentInWindow: spent })
  it('approves the amount the engine holds when the window still has room for it', () => assert.deepEqual(decideUnderLock(facts({ controls: [window(500n)] }), 500n), { outcome: 'approve', amount: 500n, partial: false }))
  it('declines when approvals committed since the first read filled the window', () => assert.equal(outcomeOf(decideUnderLock(facts({ controls: [window(501n)] }), 500n)), 'SPEND_CONTROL_VIOLATION'))
  it('a partial approval decided before is checked for what it holds, not what was asked', () => {
    assert.deepEqual(decideUnderLock(facts({ partialAllowed: true, controls: [window(800n)] }), 200n), { outcome: 'approve', amount: 200n, partial: true })
    assert.equal(outcomeOf(decideUnderLock(facts({ partialAllowed: true, controls: [window(801n)] }), 200n)), 'SPEND_CONTROL_VIOLATION')
  })
  it('a window beats velocity, as in the table', () => assert.equal(outcomeOf(decideUnderLock(facts({ controls: [window(900n)], recentCount: velocityCountMax }), 500n)), 'SPEND_CONTROL_VIOLATION'))
  it('velocity reached since the first read', () => assert.equal(outcomeOf(decideUnderLock(facts({ recentCount: velocityCountMax }), 500n)), 'SUSPECTED_FRAUD'))
  it('a credit counts no velocity', () => assert.equal(outcomeOf(decideUnderLock(facts({ direction: 'CREDITS', recentCount: velocityCountMax }), 500n)), 'approve'))
  it('a window for credits does not govern a debit', () => assert.equal(outcomeOf(decideUnderLock(facts({ controls: [control({ amountLimit: 0n, windowDays: 7, direction: 'CREDITS' })] }), 500n)), 'approve'))

  // A batch decided from memory checks these bounds instead of deciding under the lock: both must
  // agree on every message, or such a batch would approve what the lock declines (or the reverse).
  it('approves exactly when every window and the velocity count are within approvalBounds (fixed seed)', () => {
    const controlArb = fc.record({
      isActive: fc.boolean(), actionDecline: fc.boolean(), amountLimit: fc.bigInt({ min: 0n, max: 2_000n }),
      direction: fc.constantFrom<('DEBITS' | 'CREDITS' | null)[]>(null, 'DEBITS', 'CREDITS'), merchantCategoryCodes: fc.constantFrom([], ['5411'], ['5812']),
      windowDays: fc.constantFrom(null, 1, 7, 31), spentInWindow: fc.bigInt({ min: 0n, max: 2_000n }),
      // Most windows a cent or two either side of the room the amount needs: where a bound is off by one.
      edge: fc.option(fc.bigInt({ min: -2n, max: 2n }), { freq: 4 }),
    })
    fc.assert(fc.property(
      fc.array(controlArb, { maxLength: 4 }), fc.constantFrom<('DEBITS' | 'CREDITS')[]>('DEBITS', 'CREDITS'), fc.bigInt({ min: 1n, max: 1_500n }),
      fc.integer({ min: velocityCountMax - 3, max: velocityCountMax + 1 }),
      (drawn, direction, amount, recentCount) => {
        const edgeOf = (limit: bigint, edge: bigint) => (limit - amount + edge < 0n ? 0n : limit - amount + edge)
        const controls = drawn.map(({ edge, ...c }) => control({ ...c, spentInWindow: edge === null ? c.spentInWindow : edgeOf(c.amountLimit, edge) }))
        const f = facts({ controls, direction, recentCount })
        const bounds = approvalBounds(f, amount)
        const within = bounds !== undefined && controls.every((c, k) => bounds.spent[k] === null || c.spentInWindow <= bounds.spent[k]!) &&
          (bounds.recentCount === null || recentCount <= bounds.recentCount)
        assert.equal(decideUnderLock(f, amount).outcome === 'approve', within)
      },
    ), { seed: 20261201, numRuns: 2_000 })
  })
})

describe('funds the engine did not read', () => {
  it('leaves them to the ledger: approve in full', () => assert.deepEqual(decide(facts({ available: null })), { outcome: 'approve', amount: 500n, partial: false }))
  it('still declines a window the amount breaks', () => assert.equal(outcomeOf(decide(facts({ available: null, controls: [control({ amountLimit: 1000n, windowDays: 7, spentInWindow: 600n })] }))), 'SPEND_CONTROL_VIOLATION'))
})
