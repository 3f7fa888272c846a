import assert from 'node:assert/strict'
import { test } from 'node:test'
import { expirationOf, groupedPan, isLuhnValid, luhnCheckDigit, newPan, panLength } from './pan.js'

test('Luhn check digits of known card numbers', () => {
  const table = [
    { number: '4111111111111111', valid: true },
    { number: '5555555555554444', valid: true },
    { number: '378282246310005', valid: true },
    { number: '4111111111111112', valid: false },
    { number: '79927398713', valid: true },
    { number: '79927398710', valid: false },
    { number: '4x11111111111111', valid: false },
  ]
  for (const { number, valid } of table) assert.equal(isLuhnValid(number), valid, number)
  assert.equal(luhnCheckDigit('7992739871'), '3')
})

test('new PANs carry the BIN, the full length and a valid check digit, and differ', () => {
  const seen = new Set<string>()
  for (let i = 0; i < 500; i++) {
    const pan = newPan('400011')
    assert.equal(pan.length, panLength)
    assert.ok(pan.startsWith('400011'))
    assert.ok(isLuhnValid(pan), pan)
    seen.add(pan)
  }
  assert.ok(seen.size > 495, 'random account digits')
  assert.throws(() => newPan('4000'))
})

test('a card expires at the end of the month three years on', () => {
  assert.equal(expirationOf(new Date('2026-11-29T10:00:00Z')).toISOString(), '2029-11-30T23:59:59.999Z')
  assert.equal(expirationOf(new Date('2026-12-31T23:00:00Z')).toISOString(), '2029-12-31T23:59:59.999Z')
  assert.equal(expirationOf(new Date('2028-02-29T00:00:00Z')).toISOString(), '2031-02-28T23:59:59.999Z')
  assert.equal(groupedPan('4000111122223333'), '4000 1111 2222 3333')
})
