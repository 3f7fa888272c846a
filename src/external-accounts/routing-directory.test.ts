import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { abaChecksumValid, checkAchRoutingNumber, fedAchDirectory, parseFedAchDirectory } from './routing-directory.js'

describe('ACH routing numbers', () => {
  const table: Array<{ routing: string; expected: 'ok' | 'format' | 'checksum' | 'not_in_directory'; bank?: string }> = [
    { routing: '011401533', expected: 'ok', bank: 'CITIZENS BANK NA' },
    { routing: '021000021', expected: 'ok', bank: 'JPMORGAN CHASE' },
    { routing: '122000247', expected: 'ok', bank: 'WELLS FARGO BANK NA' },
    { routing: '011000015', expected: 'ok', bank: 'FEDERAL RESERVE BANK' },
    { routing: '021000022', expected: 'checksum' },
    { routing: '011401534', expected: 'checksum' },
    { routing: '123456789', expected: 'checksum' },
    { routing: '011000002', expected: 'not_in_directory' },
    { routing: '000000000', expected: 'not_in_directory' },
    { routing: '02100002', expected: 'format' },
    { routing: '0210000210', expected: 'format' },
    { routing: '02100002a', expected: 'format' },
    { routing: ' 21000021', expected: 'format' },
    { routing: '', expected: 'format' },
  ]
  for (const { routing, expected, bank } of table) {
    it(`${JSON.stringify(routing)} → ${expected}`, () => {
      const check = checkAchRoutingNumber(routing)
      if (expected === 'ok') {
        assert.equal(check.ok, true, JSON.stringify(check))
        assert.equal(check.ok && check.participant.name, bank)
      } else {
        assert.equal(check.ok, false)
        assert.equal(!check.ok && check.reason, expected)
      }
    })
  }

  it('every routing number in the bundled directory passes the checksum', () => {
    const directory = fedAchDirectory()
    assert.equal(directory.size, 18198)
    for (const routing of directory.keys()) assert.ok(abaChecksumValid(routing), routing)
  })

  it('reads the fixed-width layout: name, city, state, zip and a replacement routing number', () => {
    const record = (routing: string, type: string, newRouting: string, name: string) =>
      `${routing}O011000015${type}122415${newRouting}${name.padEnd(36)}${'1 MAIN ST'.padEnd(36)}${'SPRINGFIELD'.padEnd(20)}IL627010000217555010011     `
    const text = [record('011401533', '1', '000000000', 'FIRST TEST BANK'), record('011001962', '2', '121000374', 'OLD NAME BANK')].join('\r\n') + '\r\n'
    const directory = parseFedAchDirectory(text)
    assert.deepEqual(directory.get('011401533'), { routingNumber: '011401533', recordType: '1', newRoutingNumber: undefined, name: 'FIRST TEST BANK', city: 'SPRINGFIELD', state: 'IL', postalCode: '62701' })
    assert.equal(directory.get('011001962')?.newRoutingNumber, '121000374')
    assert.throws(() => parseFedAchDirectory('01140153XO0110000151'), /routing number/)
  })
})
