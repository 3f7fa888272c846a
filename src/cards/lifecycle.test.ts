import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { decideFulfillment, decideReissue, decideStatusChange, effectiveStatus, reissueEffect, statusTransitions, type CardStatus, type RequestedStatus } from './lifecycle.js'

describe('status changes', () => {
  it('follows the transition table, in its precedence', () => {
    const live = { expired: false, hasCustomer: true }
    const table: { from: CardStatus; to: RequestedStatus; card?: Partial<typeof live>; expected: string }[] = [
      { from: 'UNACTIVATED', to: 'ACTIVE', expected: 'ok' },
      { from: 'UNACTIVATED', to: 'SUSPENDED', expected: 'ok' },
      { from: 'UNACTIVATED', to: 'TERMINATED', expected: 'ok' },
      { from: 'ACTIVE', to: 'SUSPENDED', expected: 'ok' },
      { from: 'ACTIVE', to: 'TERMINATED', expected: 'ok' },
      { from: 'ACTIVE', to: 'ACTIVE', expected: 'unchanged' },
      { from: 'SUSPENDED', to: 'ACTIVE', expected: 'ok' },
      { from: 'SUSPENDED', to: 'SUSPENDED', expected: 'unchanged' },
      { from: 'TERMINATED', to: 'ACTIVE', expected: 'final' },
      { from: 'TERMINATED', to: 'TERMINATED', expected: 'final' },
      { from: 'REJECTED', to: 'ACTIVE', expected: 'final' },
      { from: 'PENDING', to: 'ACTIVE', expected: 'not_allowed' },
      { from: 'IMAGE_PENDING', to: 'TERMINATED', expected: 'ok' },
      // Expiry outranks everything; a missing customer matters only for activation.
      { from: 'ACTIVE', to: 'SUSPENDED', card: { expired: true }, expected: 'expired' },
      { from: 'TERMINATED', to: 'ACTIVE', card: { expired: true }, expected: 'expired' },
      { from: 'UNACTIVATED', to: 'ACTIVE', card: { hasCustomer: false }, expected: 'no_customer' },
      { from: 'UNACTIVATED', to: 'TERMINATED', card: { hasCustomer: false }, expected: 'ok' },
    ]
    for (const { from, to, card, expected } of table) {
      const d = decideStatusChange(from, to, { ...live, ...card })
      assert.equal(d.ok ? 'ok' : d.code, expected, `${from} → ${to} ${JSON.stringify(card ?? {})}`)
      if (!d.ok) assert.deepEqual(d.allowed, d.code === 'expired' ? [] : statusTransitions[from])
    }
  })
})

describe('reissue', () => {
  it('keeps the PAN except for LOST and STOLEN, which end the old card at once', () => {
    assert.deepEqual(reissueEffect('LOST'), { samePan: false, terminateOld: 'now', oldReason: 'LOS' })
    assert.deepEqual(reissueEffect('STOLEN'), { samePan: false, terminateOld: 'now', oldReason: 'STO' })
    assert.deepEqual(reissueEffect('EXPIRATION'), { samePan: true, terminateOld: 'on_activation', oldReason: 'EXP' })
    for (const r of ['DAMAGED', 'APPEARANCE', 'PRODUCT_CHANGE', 'NAME_CHANGE', 'VIRTUAL_TO_PHYSICAL'] as const) {
      assert.deepEqual(reissueEffect(r), { samePan: true, terminateOld: 'on_activation', oldReason: 'REQ' }, r)
    }
  })

  it('replaces a card once, and a terminated one only with a new PAN or on expiry', () => {
    const table: { status: CardStatus; reissuedToId?: string; expired?: boolean; reason: Parameters<typeof decideReissue>[1]; expected: string }[] = [
      { status: 'ACTIVE', reason: 'DAMAGED', expected: 'ok' },
      { status: 'ACTIVE', reason: 'LOST', expected: 'ok' },
      { status: 'ACTIVE', reissuedToId: 'x', reason: 'LOST', expected: 'already_reissued' },
      { status: 'TERMINATED', reason: 'STOLEN', expected: 'ok' },
      { status: 'TERMINATED', reason: 'DAMAGED', expected: 'terminated' },
      { status: 'TERMINATED', reason: 'EXPIRATION', expected: 'ok' },
      { status: 'ACTIVE', expired: true, reason: 'APPEARANCE', expected: 'terminated' },
      { status: 'ACTIVE', expired: true, reason: 'EXPIRATION', expected: 'ok' },
    ]
    for (const t of table) {
      const d = decideReissue({ status: t.status, reissuedToId: t.reissuedToId ?? null, expired: t.expired ?? false }, t.reason)
      assert.equal(d.ok ? 'ok' : d.code, t.expected, JSON.stringify(t))
    }
  })
})

describe('fulfilment and expiry', () => {
  it('moves fulfilment forward only', () => {
    assert.ok(decideFulfillment('ISSUED', 'ORDERED').ok)
    assert.ok(decideFulfillment('ORDERED', 'SHIPPED').ok)
    assert.ok(decideFulfillment('REJECTED', 'REORDERED').ok)
    assert.ok(!decideFulfillment('SHIPPED', 'ORDERED').ok)
    assert.ok(!decideFulfillment('ORDERED', 'ORDERED').ok)
    assert.ok(!decideFulfillment('ISSUED', 'REORDERED').ok)
  })

  it('reads a card past its expiry as TERMINATED (EXP), to the millisecond', () => {
    const expiresAt = new Date('2029-11-30T23:59:59.999Z')
    assert.deepEqual(effectiveStatus({ status: 'ACTIVE', reason: 'NEW', expiresAt }, new Date('2029-11-30T23:59:59.999Z')), { status: 'ACTIVE', reason: 'NEW', expired: false })
    assert.deepEqual(effectiveStatus({ status: 'ACTIVE', reason: 'NEW', expiresAt }, new Date('2029-12-01T00:00:00.000Z')), { status: 'TERMINATED', reason: 'EXP', expired: true })
    assert.deepEqual(effectiveStatus({ status: 'TERMINATED', reason: 'LOS', expiresAt }, new Date('2030-01-01T00:00:00Z')), { status: 'TERMINATED', reason: 'LOS', expired: true })
  })
})
