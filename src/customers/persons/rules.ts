// The rules a person's fields obey, as plain functions over plain data (no database, no vault):
// which fields each request body may carry, how a body changes a record, and what is refused.
import { badBody } from '../../platform/errors.js'
import { sameJson } from '../../platform/objects.js'
import { parseSortBy, type SortKey } from '../../platform/sorting.js'
import { isCountryAlpha2 } from '../addresses/countries.js'
import { indexedNameBytesMax, overlongName, storedAddress } from '../request-fields.js'
import type { PersonRow, PersonSortKey, StoredPersonFields } from './store.js'

/** Collects every problem of a request body, so that one 400 names them all. */
export class Problems {
  readonly missing: string[] = []
  readonly invalid: Record<string, string> = {}
  miss(field: string): void { this.missing.push(field) }
  reject(field: string, why: string): void { this.invalid[field] ??= why }
  throwIfAny(): void {
    if (this.missing.length === 0 && Object.keys(this.invalid).length === 0) return
    const parts = [
      ...(this.missing.length ? [`missing required fields: ${this.missing.join(', ')}`] : []),
      ...(Object.keys(this.invalid).length ? [`invalid fields: ${Object.entries(this.invalid).map(([k, m]) => `${k} (${m})`).join(', ')}`] : []),
    ]
    throw badBody(parts.join('; '), { missing: [...this.missing].sort(), invalid: this.invalid })
  }
}

// Nine digits, as xxx-xx-xxxx or run together: integrators copy SSNs from forms that print either.
const ssnPattern = /^(\d{3})-?(\d{2})-?(\d{4})$/

/** The canonical xxx-xx-xxxx form of an SSN, or undefined when it is not nine digits. */
export function canonicalSsn(ssn: string): string | undefined {
  const match = ssnPattern.exec(ssn)
  return match ? `${match[1]}-${match[2]}-${match[3]}` : undefined
}

export const dobEarliest = '1900-01-01'

/** Fields a request can set, each view its own subset. */
export const personFields = ['is_customer', 'status', 'ban_status', 'first_name', 'chosen_name', 'middle_name', 'last_name', 'dob', 'email', 'phone_number', 'ssn', 'legal_address', 'shipping_address', 'metadata'] as const
export type EditableField = (typeof personFields)[number]
export const customerFields: readonly EditableField[] = personFields.filter((f) => f !== 'is_customer' && f !== 'chosen_name')

export type PersonInput = Partial<Record<EditableField, unknown>>

/**
 * Splits a request body into the fields it sets and its note. Fields the spec marks read-only or
 * server-set (id, tenant, creation_time, verification_status, kyc_status, has_accounts…) set
 * nothing: a create ignores them, and an update has already refused one it would change
 * (refuseChangedServerSetFields in service.ts), so a client may send back what it read. A field the
 * schema does not declare is ignored too, as the spec's schemas allow undeclared properties.
 */
export function readBody(body: Record<string, unknown>, declared: ReadonlySet<string>, editable: readonly EditableField[], problems: Problems): { input: PersonInput; note: string | undefined } {
  const input: PersonInput = {}
  for (const [name, value] of Object.entries(body)) {
    if (!declared.has(name)) continue
    if (name === 'related_customers') problems.reject(name, 'no longer supported: use relationships')
    else if ((editable as readonly string[]).includes(name)) input[name as EditableField] = value
  }
  return { input, note: typeof body.note === 'string' ? body.note : undefined }
}

export const noteLengthMax = 2000
/** Notes kept per person: the most recent ones, so that a record cannot grow without bound. */
export const notesKeptMax = 100

/** What applying a body needs from outside the rules: the time, and the SSN vault. */
export interface ApplyContext {
  now: Date
  /** Encrypts a canonical SSN. */
  sealSsn(canonical: string): string
  /** The canonical SSN a row holds encrypted. */
  openSsn(encrypted: string): string
}

export type ApplyMode =
  /** A new record: the body is the whole of it. */
  | 'create'
  /** PATCH: only the fields sent change. */
  | 'patch'
  /** PUT: the body replaces every field of the view; a field left out is cleared. */
  | 'replace'

const storedFieldNames = ['chosen_name', 'middle_name', 'legal_address', 'shipping_address', 'metadata'] as const
const columnFieldNames = ['first_name', 'last_name', 'email', 'phone_number', 'dob'] as const

/**
 * The record after a request body is applied to it (a copy), with whether the SSN changed (a
 * changed SSN can keep its last four digits, so comparing the masked views would miss it).
 */
export function applyInput(row: PersonRow, input: PersonInput, note: string | undefined, mode: ApplyMode, editable: readonly EditableField[], ctx: ApplyContext, problems: Problems): { next: PersonRow; ssnChanged: boolean } {
  const next: PersonRow = { ...row, fields: { ...row.fields } }
  const clearAbsent = mode !== 'patch'
  const fields = next.fields as Record<string, unknown>
  for (const name of storedFieldNames) {
    if (!editable.includes(name)) continue
    const value = input[name]
    if (value !== undefined) fields[name] = name.endsWith('_address') ? storedAddress(value as Record<string, unknown>) : value
    else if (clearAbsent) delete fields[name]
  }
  for (const name of columnFieldNames) {
    const value = input[name]
    if (value !== undefined) next[name] = value as string
    else if (clearAbsent) next[name] = null
  }
  if (input.is_customer !== undefined) next.is_customer = input.is_customer as boolean
  if (input.status !== undefined) next.status = input.status as string
  // ban_status has a value on every record (ALLOWED by default): a PUT that leaves it out keeps it.
  if (input.ban_status !== undefined) next.ban_status = input.ban_status as string

  if (next.dob !== null && input.dob !== undefined) {
    const today = ctx.now.toISOString().slice(0, 10)
    if (next.dob < dobEarliest || next.dob >= today) problems.reject('dob', `must be on or after ${dobEarliest} and before today`)
  }
  checkBanStatus(row, next, note, mode, problems)
  if (overlongName(input.last_name)) problems.reject('last_name', `must be at most ${indexedNameBytesMax} bytes`)
  if (note !== undefined) {
    if (note.length > noteLengthMax) problems.reject('note', `must be at most ${noteLengthMax} characters`)
    else if (note.trim() !== '') fields.notes = [...(row.fields.notes ?? []), { text: note, time: ctx.now.toISOString() }].slice(-notesKeptMax)
  }

  let ssnChanged = false
  const ssn = input.ssn as string | undefined
  // The masked SSN a GET returned, sent back unchanged, is not a new SSN.
  if (ssn !== undefined && !(row.ssn_last4 !== null && ssn === `***-**-${row.ssn_last4}`)) {
    const canonical = canonicalSsn(ssn)
    if (canonical === undefined) problems.reject('ssn', 'must be 9 digits, as xxx-xx-xxxx or without dashes')
    else if (row.ssn_encrypted === null || ctx.openSsn(row.ssn_encrypted) !== canonical) {
      next.ssn_encrypted = ctx.sealSsn(canonical)
      next.ssn_last4 = canonical.slice(-4)
      next.fields.ssn_source = 'MANUAL'
      ssnChanged = true
    }
  } else if (ssn === undefined && clearAbsent && editable.includes('ssn') && row.ssn_encrypted !== null) {
    next.ssn_encrypted = null
    next.ssn_last4 = null
    delete next.fields.ssn_source
    ssnChanged = true
  }
  next.updated_at = ctx.now
  return { next, ssnChanged }
}

// The spec: BANNED is set and lifted only by the platform's ban rules, and a note must explain a
// person created SUSPENDED or moved between SUSPENDED and ALLOWED.
function checkBanStatus(row: PersonRow, next: PersonRow, note: string | undefined, mode: ApplyMode, problems: Problems): void {
  const from = mode === 'create' ? undefined : row.ban_status
  const to = next.ban_status
  if (from === to) return
  if (to === 'BANNED' || from === 'BANNED') { problems.reject('ban_status', 'BANNED is set and lifted only by ban rules'); return }
  const needsNote = from === undefined ? to === 'SUSPENDED' : true
  if (needsNote && (note === undefined || note.trim() === '')) problems.miss('note')
}

/** True when two rows differ in anything a request can set (notes included, times not), an object's key order aside. */
export function rowsDiffer(a: PersonRow, b: PersonRow): boolean {
  const comparable = (r: PersonRow) => [r.is_customer, r.status, r.ban_status, r.first_name, r.last_name, r.email, r.phone_number, r.dob, r.ssn_encrypted, r.fields satisfies StoredPersonFields]
  return !sameJson(comparable(a), comparable(b))
}

export type SortOrder = SortKey<PersonSortKey>[]

const sortColumns: Record<string, PersonSortKey> = { creation_time: 'created_at', first_name: 'first_name', last_name: 'last_name', last_updated_time: 'updated_at' }

/** `sort_by` as the spec writes it (field:asc|desc, most significant first). */
export const sortOrder = (sortBy: readonly string[] | undefined): SortOrder => parseSortBy(sortBy, sortColumns)


// Personal ids whose type implies the issuing country (the spec: SSN and ITIN default to US, SIN
// to CA; the citizenship, provincial and secure status cards are Canadian documents).
const implicitCountry: Record<string, string> = { SSN: 'US', ITIN: 'US', SIN: 'CA', CITIZENSHIP_CARD: 'CA', PROVINCIAL_ID: 'CA', SECURE_STATUS_CARD: 'CA' }
const ssnShaped = new Set(['SSN', 'ITIN'])

// An identifier shows its last four characters when masked; one of four or fewer would be shown whole.
export const identifierCharactersMin = 5
export const identifierLengthMax = 64

/** The country a personal id is recorded with, from its type and the country_code sent (if any). */
export function personalIdCountry(idType: string, countryCode: string | undefined, problems: Problems, prefix = ''): string {
  const implied = implicitCountry[idType]
  if (countryCode === undefined) {
    if (implied === undefined) problems.miss(`${prefix}country_code`)
    return implied ?? ''
  }
  if (implied !== undefined && countryCode !== implied) problems.reject(`${prefix}country_code`, `a ${idType} is issued by ${implied}`)
  else if (!isCountryAlpha2(countryCode)) problems.reject(`${prefix}country_code`, 'must be an ISO 3166-1 alpha-2 country code')
  return countryCode
}

/** The identifier as stored (encrypted) and its last four characters, or undefined when refused. */
export function canonicalIdentifier(idType: string, identifier: string, problems: Problems, prefix = ''): { canonical: string; last4: string } | undefined {
  const field = `${prefix}identifier`
  if (ssnShaped.has(idType)) {
    const canonical = canonicalSsn(identifier)
    if (canonical === undefined) { problems.reject(field, `a ${idType} must be 9 digits, as xxx-xx-xxxx`); return undefined }
    return { canonical, last4: canonical.slice(-4) }
  }
  const canonical = identifier.trim()
  const characters = canonical.replace(/[^0-9A-Za-z]/g, '')
  if (characters.length < identifierCharactersMin || canonical.length > identifierLengthMax) {
    problems.reject(field, `must have at least ${identifierCharactersMin} letters or digits and at most ${identifierLengthMax} characters`)
    return undefined
  }
  return { canonical, last4: characters.slice(-4) }
}
