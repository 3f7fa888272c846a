// Text a request gives for a field of the NACHA file (the company entry description, the company
// name) is kept as the file's alphanumeric field carries it: upper case, accents dropped, anything
// else outside printable ASCII a space, cut by character. The answer, the entry read back, the file
// and the files the simulations build all show the same, and nothing splits a surrogate pair.
import assert from 'node:assert/strict'
import { after, before, it } from 'node:test'
import { alphanumericField, validateNacha } from '../../src/ach/nacha/index.js'
import { startHarness, type Harness } from '../support/harness.js'
import { advanceTo, assertBooksClean, customer, getAch, originate } from './support.js'

let h: Harness
before(async () => { h = await startHarness() })
after(async () => { await h.close() })

it('alphanumericField: upper case, accents dropped, other characters a space each, cut by character', () => {
  assert.equal(alphanumericField('Café rent', 10), 'CAFE RENT')
  assert.equal(alphanumericField('\u0001𐀀𐀀𐀀𐀀𐀀', 10), '      ')
  assert.equal(alphanumericField('ab𐀀cdefghijk', 4), 'AB C')
  assert.equal(alphanumericField('straße', 16), 'STRASSE')
  for (const s of ['☕☕☕☕☕☕☕☕☕☕☕☕', 'x𝔘𝔫𝔦𝔠𝔬𝔡𝔢', 'Ωμέγα']) assert.match(alphanumericField(s, 10), /^[\x20-\x7e]{0,10}$/)
})

it('an entry with such text is answered, read back and written alike, and a return of it by simulation goes through', async () => {
  await advanceTo(h, '2031-06-04T12:00:00Z') // Wednesday 08:00 ET
  const c = await customer(h, 10_000)
  const res = await originate(h, c, { amount: 100, dc_sign: 'credit', is_same_day: true, company_entry_description: 'Café ☕ 𐀀x', company_name: 'Zoë & Søn 𝔘' })
  assert.equal(res.status, 201, JSON.stringify(res.body))
  assert.equal(res.body.company_entry_description, 'CAFE    X')
  assert.equal(res.body.company_name, 'ZOE & S N U') // ø has no plain letter in it; 𝔘 is a U
  assert.deepEqual(await getAch(h, res.body.id), res.body)

  await advanceTo(h, '2031-06-04T17:01:00Z') // cut at 10:30 ET, settled at 13:00 ET
  const files = await h.request('GET', '/v0/ach/files?direction=OUTGOING')
  const file = files.body.files.find((f: any) => f.window === 'SAME_DAY_1')
  const text = await h.request('GET', `/v0/ach/files/${file.id}`, { headers: { accept: 'text/plain' }, unchecked: true })
  const batchHeader = String(text.body).split('\n').find((l) => l.startsWith('5'))!
  assert.equal(batchHeader.slice(4, 20), 'ZOE & S N U     ')
  assert.equal(batchHeader.slice(53, 63), 'CAFE    X ')

  // The simulated return carries the original's batch header into a file of its own (it answered 500).
  const returned = await h.request('POST', '/v0/ach/transaction_simulations/receiving_return', { body: { ach_id: res.body.id, return_code: 'R10' } })
  assert.equal(returned.status, 201, JSON.stringify(returned.body))
  assert.equal((await getAch(h, res.body.id)).status, 'DECLINED')
  await assertBooksClean(h)
})

it('a company name or entry description with nothing the file can carry is the default, so the file sent and a return of it stay valid NACHA', async () => {
  await advanceTo(h, '2031-06-11T12:00:00Z') // Wednesday 08:00 ET
  const c = await customer(h, 10_000)
  const settings = (await h.request('GET', '/v0/ach/settings')).body
  const made = []
  for (const [company_name, company_entry_description] of [['', ''], ['   ', '☕'], ['日本語', '\u0001\u0002']]) {
    const res = await originate(h, c, { amount: 100, dc_sign: 'credit', is_same_day: true, company_name, company_entry_description })
    assert.equal(res.status, 201, JSON.stringify(res.body))
    assert.equal(res.body.company_name, settings.company_name)
    assert.equal(res.body.company_entry_description, 'PAYMENT')
    made.push(res.body)
  }
  await advanceTo(h, '2031-06-11T17:01:00Z') // cut at 10:30 ET, settled at 13:00 ET
  // Sent, in files that are valid NACHA (a blank company name or description is a format error).
  for (const entry of made) assert.notEqual((await getAch(h, entry.id)).status, 'INIT')
  for (const f of (await h.request('GET', '/v0/ach/files?direction=OUTGOING&limit=1000')).body.files) {
    const verdict = validateNacha((await h.request('GET', `/v0/ach/files/${f.id}`)).body.content)
    assert.deepEqual(verdict.errors, [], f.id)
  }
  // A return of one is a file of the simulated bank's, with the original's batch header (it was refused as invalid NACHA).
  const returned = await h.request('POST', '/v0/ach/transaction_simulations/receiving_return', { body: { ach_id: made[0].id, return_code: 'R10' } })
  assert.equal(returned.status, 201, JSON.stringify(returned.body))
  assert.equal((await getAch(h, made[0].id)).status, 'DECLINED')
  await assertBooksClean(h)
})
