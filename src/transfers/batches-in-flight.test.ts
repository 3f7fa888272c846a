import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { batchesInFlightMaxDefault } from '../ledger/index.js'
import { batchesInFlight } from './index.js'

describe('KEEL_LEDGER_BATCHES_IN_FLIGHT', () => {
  it('takes 1 to 8, and the default for anything else', () => {
    const was = process.env.KEEL_LEDGER_BATCHES_IN_FLIGHT
    try {
      const cases: [string | undefined, number][] = [[undefined, batchesInFlightMaxDefault], ['1', 1], ['4', 4], ['8', 8], ['0', batchesInFlightMaxDefault], ['9', batchesInFlightMaxDefault], ['2.5', batchesInFlightMaxDefault], ['many', batchesInFlightMaxDefault], ['', batchesInFlightMaxDefault]]
      for (const [value, expected] of cases) {
        if (value === undefined) delete process.env.KEEL_LEDGER_BATCHES_IN_FLIGHT
        else process.env.KEEL_LEDGER_BATCHES_IN_FLIGHT = value
        assert.equal(batchesInFlight(), expected, `KEEL_LEDGER_BATCHES_IN_FLIGHT=${value}`)
      }
    } finally {
      if (was === undefined) delete process.env.KEEL_LEDGER_BATCHES_IN_FLIGHT
      else process.env.KEEL_LEDGER_BATCHES_IN_FLIGHT = was
    }
  })
})
