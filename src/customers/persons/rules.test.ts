import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { applyInput, canonicalIdentifier, canonicalSsn, customerFields, personalIdCountry, personFields, Problems, sortOrder, type ApplyMode, type PersonInput } from './rules.js'
import type { PersonRow } from './store.js'

const now = new Date('2026-03-01T12:00:00Z')
// A reversible stand-in for the vault, so the rules can be tested without keys.
const ctx = { now, sealSsn: (s: string) => `sealed:${s}`, openSsn: (s: string) => s.replace(/^sealed:/, '') }

const row = (overrides: Partial<PersonRow> = {}): PersonRow => ({
  workspace_id: 'w', id: 'p', is_customer: true, status: 'ACTIVE', verification_status: 'UNVERIFIED', verification_last_run: null,
  ban_status: 'ALLOWED', first_name: 'Ada', last_name: 'Lovelace', email: 'ada@example.com', phone_number: null, dob: '1985-12-10',
  ssn_encrypted: 'sealed:123-45-6789', ssn_last4: '6789', fields: { middle_name: 'B', ssn_source: 'MANUAL' },
  created_at: new Date('2026-01-01T00:00:00Z'), updated_at: new Date('2026-01-01T00:00:00Z'), has_accounts: false, ...overrides,
})

function apply(input: PersonInput, mode: ApplyMode = 'patch', note?: string, base = row()) {
  const problems = new Problems()
  const out = applyInput(base, input, note, mode, mode === 'replace' ? customerFields : personFields, ctx, problems)
  let error: { missing?: string[]; invalid?: Record<string, string> } | undefined
  try { problems.throwIfAny() } catch (e) { error = (e as { extra: typeof error }).extra }
  return { ...out, error }
}

describe('canonicalSsn', () => {
  for (const [input, expected] of [['123-45-6789', '123-45-6789'], ['123456789', '123-45-6789'], ['12345-6789', '123-45-6789'], ['123-45-678', undefined], ['123 45 6789', undefined], ['1234567890', undefined], ['abc-de-fghi', undefined], ['', undefined]] as const) {
    it(`${JSON.stringify(input)} → ${expected}`, () => assert.equal(canonicalSsn(input), expected))
  }
})

describe('applyInput', () => {
  it('PATCH changes only what is sent', () => {
    const { next, ssnChanged, error } = apply({ first_name: 'Augusta' })
    assert.equal(error, undefined)
    assert.equal(next.first_name, 'Augusta')
    assert.equal(next.last_name, 'Lovelace')
    assert.equal(next.fields.middle_name, 'B')
    assert.equal(ssnChanged, false)
    assert.equal(next.updated_at, now)
  })

  it('PUT clears what is left out of the view, keeps ban_status and person-only fields', () => {
    const { next, ssnChanged } = apply({ status: 'ACTIVE' }, 'replace', undefined, row({ ban_status: 'SUSPENDED', fields: { chosen_name: 'Annie', middle_name: 'B', ssn_source: 'MANUAL' } }))
    assert.deepEqual([next.first_name, next.last_name, next.email, next.dob, next.ssn_encrypted, next.ssn_last4], [null, null, null, null, null, null])
    assert.deepEqual(next.fields, { chosen_name: 'Annie' })
    assert.equal(next.ban_status, 'SUSPENDED')
    assert.equal(ssnChanged, true)
  })

  it('treats the masked SSN sent back as no change, and the same digits written differently too', () => {
    assert.equal(apply({ ssn: '***-**-6789' }).ssnChanged, false)
    assert.equal(apply({ ssn: '123456789' }).ssnChanged, false)
    const changed = apply({ ssn: '999-99-6789' })
    assert.equal(changed.ssnChanged, true)
    assert.equal(changed.next.ssn_encrypted, 'sealed:999-99-6789')
  })

  const refusals: { name: string; input: PersonInput; mode?: ApplyMode; note?: string; base?: PersonRow; missing?: string[]; invalid?: string[] }[] = [
    { name: 'an SSN of the wrong shape', input: { ssn: '12-345-6789' }, invalid: ['ssn'] },
    { name: 'another masked SSN', input: { ssn: '***-**-1111' }, invalid: ['ssn'] },
    { name: 'a dob before 1900', input: { dob: '1899-12-31' }, invalid: ['dob'] },
    { name: 'a dob of today', input: { dob: '2026-03-01' }, invalid: ['dob'] },
    { name: 'BANNED set by a client', input: { ban_status: 'BANNED' }, note: 'x', invalid: ['ban_status'] },
    { name: 'BANNED lifted by a client', input: { ban_status: 'ALLOWED' }, note: 'x', base: row({ ban_status: 'BANNED' }), invalid: ['ban_status'] },
    { name: 'a suspension without a note', input: { ban_status: 'SUSPENDED' }, missing: ['note'] },
    { name: 'a reinstatement with a blank note', input: { ban_status: 'ALLOWED' }, note: '  ', base: row({ ban_status: 'SUSPENDED' }), missing: ['note'] },
    { name: 'a person created SUSPENDED without a note', input: { status: 'ACTIVE', ban_status: 'SUSPENDED' }, mode: 'create', missing: ['note'] },
    { name: 'every problem at once', input: { ssn: 'x', dob: '1800-01-01', ban_status: 'SUSPENDED' }, missing: ['note'], invalid: ['ssn', 'dob'] },
  ]
  for (const r of refusals) {
    it(`refuses ${r.name}`, () => {
      const { error } = apply(r.input, r.mode, r.note, r.base)
      assert.ok(error, 'refused')
      assert.deepEqual(error.missing ?? [], r.missing ?? [])
      assert.deepEqual(Object.keys(error.invalid ?? {}).sort(), [...(r.invalid ?? [])].sort())
    })
  }

  it('allows a suspension with a note and keeps the note', () => {
    const { next, error } = apply({ ban_status: 'SUSPENDED' }, 'patch', 'fraud review')
    assert.equal(error, undefined)
    assert.deepEqual(next.fields.notes, [{ text: 'fraud review', time: now.toISOString() }])
  })
})

describe('sortOrder', () => {
  it('reads the spec’s sort orders and refuses others and repeats', () => {
    assert.deepEqual(sortOrder(['last_name:desc', 'creation_time:asc']), [{ key: 'last_name', descending: true }, { key: 'created_at', descending: false }])
    assert.deepEqual(sortOrder(undefined), [])
    for (const bad of [['email:asc'], ['first_name'], ['first_name:up'], ['first_name:asc', 'first_name:desc']]) assert.throws(() => sortOrder(bad), /sort_by/)
  })
})

describe('personal id rules', () => {
  const country = (idType: string, code?: string) => { const p = new Problems(); return { value: personalIdCountry(idType, code, p), p } }
  it('implies the country where the type does, and needs one elsewhere', () => {
    assert.equal(country('SSN').value, 'US')
    assert.equal(country('SECURE_STATUS_CARD').value, 'CA')
    assert.deepEqual(country('PASSPORT_NUMBER').p.missing, ['country_code'])
    assert.ok(country('SSN', 'CA').p.invalid.country_code)
    assert.ok(country('PASSPORT_NUMBER', 'ZZ').p.invalid.country_code)
    assert.equal(country('PASSPORT_NUMBER', 'FR').value, 'FR')
  })

  it('keeps the last four letters or digits of an identifier, and refuses one too short to mask', () => {
    const p = new Problems()
    assert.deepEqual(canonicalIdentifier('DRIVER_LICENSE', ' D12-34-56 ', p), { canonical: 'D12-34-56', last4: '3456' })
    assert.deepEqual(canonicalIdentifier('ITIN', '912345678', p), { canonical: '912-34-5678', last4: '5678' })
    assert.equal(canonicalIdentifier('STATE_ID', '1-2-3-4', p), undefined)
    assert.ok(p.invalid.identifier)
  })
})
