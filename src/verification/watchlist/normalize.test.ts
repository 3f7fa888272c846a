import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { nameTokens, naturalOrder, phoneticKey } from './normalize.js'

describe('name normalisation', () => {
  const table: Array<[string, string[]]> = [
    ['Daniel MORENO', ['daniel', 'moreno']],
    ["José O'Brien-Müller Jr., Dr.", ['jose', 'obrien', 'muller']],
    ['Mr. Ahmed Al-Hassan', ['ahmed', 'al', 'hassan']],
    ['Дмитрий Юрьевич Хорошев', ['dmitriy', 'yurevich', 'khoroshev']],
    ['Ελευθέριος Βενιζέλος', ['eleftherios', 'venizelos']],
    ['SUEX OTC, S.R.O.', ['suex', 'otc']],
    ['Łukasz Søren Straße', ['lukasz', 'soren', 'strasse']],
    ['AIRCRAFT, AVIONICS, PARTS & SUPPORT LTD.', ['aircraft', 'avionics', 'parts', 'support']],
    ['The Company', ['the', 'company']],
    ['  ', []],
  ]
  for (const [input, expected] of table) it(JSON.stringify(input), () => assert.deepEqual(nameTokens(input), expected))

  it('puts "LAST, First" in natural order', () => {
    assert.equal(naturalOrder('KHOROSHEV, Dmitry Yuryevich'), 'Dmitry Yuryevich KHOROSHEV')
    assert.equal(naturalOrder('BANCO NACIONAL DE CUBA'), 'BANCO NACIONAL DE CUBA')
  })

  it('gives spelling variants one phonetic key and different names different keys', () => {
    assert.equal(phoneticKey('mohammed'), phoneticKey('muhammad'))
    assert.equal(phoneticKey('mohamed'), phoneticKey('muhammad'))
    assert.equal(phoneticKey('dmitry'), phoneticKey('dmitriy'))
    assert.notEqual(phoneticKey('moreno'), phoneticKey('martinez'))
  })
})
