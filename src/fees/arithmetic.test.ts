import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { chargeable, proRated, waivedByMinimumBalance } from './arithmetic.js'

describe('fee arithmetic', () => {
  it('charges up to what is available above the floor and leaves the rest owed', () => {
    const table: [string, bigint, { posted: bigint; held: bigint; floor: bigint | null }, bigint, bigint][] = [
      ['enough', 500n, { posted: 10_000n, held: 0n, floor: 0n }, 500n, 0n],
      ['exactly enough', 500n, { posted: 500n, held: 0n, floor: 0n }, 500n, 0n],
      ['part', 500n, { posted: 300n, held: 0n, floor: 0n }, 300n, 200n],
      ['holds count', 500n, { posted: 1_000n, held: 800n, floor: 0n }, 200n, 300n],
      ['nothing available', 500n, { posted: 0n, held: 0n, floor: 0n }, 0n, 500n],
      ['already below the floor', 500n, { posted: -100n, held: 0n, floor: 0n }, 0n, 500n],
      ['overdraft room counts', 500n, { posted: 0n, held: 0n, floor: -1_000n }, 500n, 0n],
      ['no floor', 500n, { posted: -100n, held: 0n, floor: null }, 500n, 0n],
    ]
    for (const [name, fee, account, charge, owed] of table) assert.deepEqual(chargeable(fee, account), { charge, owed }, name)
  })

  it('pro-rates a first cycle by days held, half-up to the cent', () => {
    const table: [bigint, number, number, bigint][] = [[1000n, 31, 31, 1000n], [1000n, 15, 30, 500n], [1000n, 1, 31, 32n], [1000n, 10, 31, 323n], [999n, 1, 2, 500n], [1000n, 0, 30, 0n]]
    for (const [amount, held, days, want] of table) assert.equal(proRated(amount, held, days), want, `${amount} × ${held}/${days}`)
  })

  it('waives a monthly fee when the lowest balance stayed at or over the threshold', () => {
    assert.equal(waivedByMinimumBalance(100_000n, 100_000n), true)
    assert.equal(waivedByMinimumBalance(99_999n, 100_000n), false)
    assert.equal(waivedByMinimumBalance(1_000_000n, undefined), false)
  })
})
