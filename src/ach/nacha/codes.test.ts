import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { addenda99KindOf } from './addenda.js'
import { decodeCorrectedData, isCreditCode, isDebitCode, nocCodes, returnCodes, transactionCodes } from './codes.js'
import { isValidRouting, routingCheckDigit } from './routing.js'

describe('routing numbers', () => {
  it('computes the ABA check digit', () => {
    assert.equal(routingCheckDigit('23138010'), 4)
    assert.equal(routingCheckDigit('12104288'), 2)
    assert.equal(routingCheckDigit('03130001'), 2)
    assert.equal(routingCheckDigit('0313000'), undefined)
    assert.equal(routingCheckDigit('0313000x'), undefined)
  })
  it('accepts nine digits with the right check digit only', () => {
    assert.equal(isValidRouting('231380104'), true)
    assert.equal(isValidRouting('231380105'), false)
    assert.equal(isValidRouting('23138010'), false)
    assert.equal(isValidRouting(' 23138010'), false)
    for (let d = 0; d <= 9; d++) assert.equal(isValidRouting(`12104288${d}`), d === 2)
  })
})

describe('code tables', () => {
  it('classifies the transaction codes a rail uses', () => {
    for (const c of [22, 23, 32, 33]) assert.equal(isCreditCode(c), true, String(c))
    for (const c of [27, 28, 37, 38]) assert.equal(isDebitCode(c), true, String(c))
    assert.equal(isCreditCode(27), false)
    assert.equal(isDebitCode(99), false)
    assert.equal(transactionCodes.get(28)?.purpose, 'prenote')
  })
  it('lists R01-R85 with their deadlines', () => {
    assert.equal(returnCodes.get('R01')?.deadline.kind, 'bankingDays')
    for (const code of ['R05', 'R07', 'R10', 'R11', 'R37', 'R51']) {
      assert.deepEqual(returnCodes.get(code)?.deadline, { kind: 'calendarDays', days: 60 }, code)
      assert.equal(returnCodes.get(code)?.extended, true)
    }
    assert.equal(returnCodes.get('R06')?.deadline.kind, 'byAgreement')
    assert.equal(returnCodes.get('R48'), undefined)
    assert.equal(returnCodes.get('R85')?.title, 'Incorrectly Coded Outbound International Payment')
    for (const [code, info] of returnCodes) assert.equal(addenda99KindOf(code), info.kind, code)
  })
  it('lists the NOC codes with the fields they correct', () => {
    assert.deepEqual([...nocCodes.keys()], ['C01', 'C02', 'C03', 'C04', 'C05', 'C06', 'C07', 'C08', 'C09', 'C13', 'C14'])
    assert.deepEqual(decodeCorrectedData('C01', '1918171614                   '), { accountNumber: '1918171614' })
    assert.deepEqual(decodeCorrectedData('C07', '231380104' + '12345678901234567' + '22 '), { routingNumber: '231380104', accountNumber: '12345678901234567', transactionCode: '22' })
    assert.deepEqual(decodeCorrectedData('C03', '231380104   98765'), { routingNumber: '231380104', accountNumber: '98765' })
    assert.equal(decodeCorrectedData('C99', 'x'), undefined)
  })
})
