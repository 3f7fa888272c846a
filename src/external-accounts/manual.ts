// Accounts added by hand (POST /v0/external_accounts) and edits (PATCH): routing numbers checked
// against the ABA checksum and the FedACH directory, account numbers by format, one live account
// per number per customer.
import type { Static } from 'typebox'
import { sha256Hex } from '../platform/crypto.js'
import type { Tx } from '../platform/db.js'
import { ApiError, badBody } from '../platform/errors.js'
import { changedFields, recordEvent } from '../platform/events.js'
import type { Services } from '../platform/http.js'
import { uuidv7 } from '../platform/ids.js'
import type { Workspace } from '../platform/workspaces.js'
import type { add_accounts_request, patch_external_account } from '../spec/schemas.js'
import { requireParty } from './party.js'
import { abaChecksumValid, checkAchRoutingNumber } from './routing-directory.js'
import { findLiveByNumbers, getAccount, insertAccount, lockPartyAccounts, saveAccount, type AccountRow, type Party, type RoutingView } from './store.js'
import { lastFour, toExternalAccount, type ExternalAccount } from './views.js'

type AddRequest = Static<typeof add_accounts_request>
type PatchRequest = Static<typeof patch_external_account>

/** A US account number as an ACH entry carries it: digits, at most 17 (the NACHA field). */
export const usAccountNumberPattern = /^[0-9]{4,17}$/
export const otherAccountNumberPattern = /^[A-Za-z0-9]{1,34}$/
export const ibanLengthMax = 34

/** IBAN: country, check digits, and the mod-97 check of ISO 13616. */
export function ibanValid(iban: string): boolean {
  if (!/^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$/.test(iban) || iban.length > ibanLengthMax) return false
  const rearranged = iban.slice(4) + iban.slice(0, 4)
  let remainder = 0
  for (const ch of rearranged) {
    const value = /[A-Z]/.test(ch) ? String(ch.charCodeAt(0) - 55) : ch
    for (const digit of value) remainder = (remainder * 10 + Number(digit)) % 97
  }
  return remainder === 1
}

export const eventTypes = { created: 'EXTERNAL_ACCOUNT.CREATED', updated: 'EXTERNAL_ACCOUNT.UPDATED', deleted: 'EXTERNAL_ACCOUNT.DELETED' } as const

/** What identifies an account's numbers for the duplicate rule: its routing and its number or IBAN. */
export function numbersSha256(routing: RoutingView, number: string | undefined, iban: string | undefined): string {
  return sha256Hex(['v1', routing.ach_routing_number ?? routing.eft_ca_routing_number ?? routing.swift_code ?? '', number ?? '', iban ?? ''].join('|'))
}

interface Numbers { number: string | undefined; iban: string | undefined; routing: RoutingView }

/** Checks routing and account identifiers together; the bank name comes from the FedACH directory when an ACH routing number names it. */
function checkNumbers(n: Numbers, where: { number: string; iban: string; routing: string }): RoutingView {
  const invalid: Record<string, string> = {}
  const routing: RoutingView = { ...n.routing }
  const us = routing.bank_countries.includes('US')
  for (const c of routing.bank_countries) if (!/^[A-Z]{2}$/.test(c)) invalid[`${where.routing}.bank_countries`] = 'ISO-3166-1 alpha-2 country codes'
  if (n.number === undefined && n.iban === undefined) invalid[where.number] = 'at least one of number or iban is required'
  if (n.number !== undefined && !(us ? usAccountNumberPattern : otherAccountNumberPattern).test(n.number)) {
    invalid[where.number] = us ? 'a US account number is 4 to 17 digits' : 'an account number is 1 to 34 letters and digits'
  }
  if (n.iban !== undefined && !ibanValid(n.iban)) invalid[where.iban] = 'not a valid IBAN (format or check digits)'
  if (routing.ach_routing_number !== undefined) {
    const check = checkAchRoutingNumber(routing.ach_routing_number)
    if (!check.ok) invalid[`${where.routing}.ach_routing_number`] = `${routing.ach_routing_number} ${check.detail}`
    else routing.bank_name = check.participant.name
  } else if (us) {
    invalid[`${where.routing}.ach_routing_number`] = 'required for an account in the US'
  }
  if (routing.wire_routing_number !== undefined && !abaChecksumValid(routing.wire_routing_number)) {
    invalid[`${where.routing}.wire_routing_number`] = `${routing.wire_routing_number} is not 9 digits with a valid ABA checksum`
  }
  if (routing.eft_ca_routing_number !== undefined && !/^0[0-9]{8}$/.test(routing.eft_ca_routing_number)) {
    invalid[`${where.routing}.eft_ca_routing_number`] = 'the 9-digit form 0XXXYYYYY (institution and transit numbers)'
  }
  if (Object.keys(invalid).length) throw badBody(`invalid account or routing identifiers: ${Object.entries(invalid).map(([k, m]) => `${k} (${m})`).join(', ')}`, { invalid })
  return routing
}

function routingOf(r: AddRequest['routing_identifiers']): RoutingView {
  const wire = r.international_wire_details
  return {
    bank_name: r.bank_name,
    bank_countries: r.bank_countries,
    ...(r.ach_routing_number !== undefined ? { ach_routing_number: r.ach_routing_number } : {}),
    ...(r.wire_routing_number !== undefined ? { wire_routing_number: r.wire_routing_number } : {}),
    ...(r.eft_ca_routing_number !== undefined ? { eft_ca_routing_number: r.eft_ca_routing_number } : {}),
    ...(wire ? { swift_code: wire.swift_code, bank_address: wire.bank_address as Record<string, unknown> } : {}),
    ...(wire?.correspondent_banks_details ? { correspondent_bank_details: wire.correspondent_banks_details as Record<string, unknown>[] } : {}),
  }
}

type VerificationInput = { vendor: 'FINICITY' | 'MANUAL' | 'PLAID'; status: 'UNVERIFIED' | 'VERIFIED' }
const verificationOf = (v: unknown): VerificationInput | undefined => (v === undefined || v === null ? undefined : v as VerificationInput)

async function refuseDuplicate(tx: Tx, workspaceId: string, party: Party, sha: string, exceptId?: string): Promise<void> {
  const existing = await findLiveByNumbers(tx, workspaceId, party, sha, exceptId)
  if (existing) throw new ApiError('DUPLICATE_RESOURCE', `this customer already has external account ${existing.id} with these routing and account numbers`)
}

export async function addManualAccount(tx: Tx, services: Services, workspace: Workspace, body: AddRequest): Promise<ExternalAccount> {
  const party = await requireParty(tx, workspace.id, body)
  const number = body.account_identifiers.number
  const iban = body.account_identifiers.iban
  const routing = checkNumbers({ number, iban, routing: routingOf(body.routing_identifiers) }, { number: 'account_identifiers.number', iban: 'account_identifiers.iban', routing: 'routing_identifiers' })
  const sha = numbersSha256(routing, number, iban)
  await lockPartyAccounts(tx, workspace.id, party)
  await refuseDuplicate(tx, workspace.id, party, sha)
  const now = services.clock.now(workspace.id)
  const verification = verificationOf(body.verification)
  const row: AccountRow = {
    workspace_id: workspace.id, id: uuidv7(), ...party, customer_type: body.customer_type, vendor: 'MANUAL', item_id: null, vendor_account_id: null,
    type: body.type, status: 'ACTIVE', name: null, nickname: body.nickname ?? null, currency: body.currency ?? 'USD',
    account_number_encrypted: number !== undefined ? services.vault.encrypt(number) : null, account_number_last4: number !== undefined ? lastFour(number) : null,
    iban_encrypted: iban !== undefined ? services.vault.encrypt(iban) : null, iban_last4: iban !== undefined ? lastFour(iban) : null,
    numbers_sha256: sha, routing, account_owner_names: body.account_owner_names,
    metadata: (body.metadata as Record<string, unknown> | undefined) ?? null, tenant: body.tenant ?? null, vendor_data: null,
    verification_status: verification?.status ?? 'UNVERIFIED', verification_vendor: verification?.vendor ?? 'MANUAL',
    verified_at: verification?.status === 'VERIFIED' ? now : null, verification_updated_at: verification ? now : null,
    owner_match: null, transactions_synced_at: null, created_at: now, updated_at: now, deleted_at: null,
  }
  await insertAccount(tx, row)
  const resource = toExternalAccount(row)
  await recordEvent(tx, { at: now, workspaceId: workspace.id, type: eventTypes.created, resourceId: row.id, resource })
  return resource
}

/** The fields PATCH may change on an account whose numbers are settled (vendor-linked, or verified). */
const settledFields = new Set(['nickname', 'verification'])

export async function patchAccount(tx: Tx, services: Services, workspace: Workspace, id: string, body: PatchRequest): Promise<ExternalAccount> {
  const before = await getAccount(tx, workspace.id, id, { forUpdate: true })
  if (!before) throw new ApiError('RESOURCE_NOT_FOUND', `external account ${id} not found`)
  if (before.status === 'DELETED') throw new ApiError('INVALID_STATUS', `external account ${id} is deleted`)
  const asked = Object.keys(body).filter((k) => (body as Record<string, unknown>)[k] !== undefined)
  const unsettled = asked.filter((k) => !settledFields.has(k))
  if (unsettled.length && before.vendor !== 'MANUAL') {
    throw new ApiError('INVALID_STATUS', `the ${unsettled.join(', ')} of an account linked through ${before.vendor} come from the vendor; sync it instead (only nickname and verification can be edited)`)
  }
  if (unsettled.length && before.verification_status === 'VERIFIED' && !(asked.includes('verification') && verificationOf(body.verification)?.status === 'UNVERIFIED')) {
    throw new ApiError('INVALID_STATUS', `external account ${id} is verified: only nickname and verification can be edited (set verification to UNVERIFIED first)`)
  }
  const now = services.clock.now(workspace.id)
  const after: AccountRow = { ...before, routing: { ...before.routing } }
  if (body.nickname !== undefined) after.nickname = body.nickname
  if (body.type !== undefined) after.type = body.type
  if (body.currency !== undefined) after.currency = body.currency
  if (body.account_owner_names !== undefined) {
    if (body.account_owner_names.length === 0 || body.account_owner_names.some((n) => n.trim() === '')) throw badBody('account_owner_names needs at least one non-empty name', { invalid: { account_owner_names: 'at least one non-empty name' } })
    after.account_owner_names = body.account_owner_names
  }
  const numbersChange = body.account_identifiers !== undefined || body.routing_identifiers !== undefined
  if (numbersChange) {
    const r = body.routing_identifiers ?? {}
    const number = body.account_identifiers?.number ?? (before.account_number_encrypted ? services.vault.decrypt(before.account_number_encrypted) : undefined)
    const iban = body.account_identifiers?.iban ?? (before.iban_encrypted ? services.vault.decrypt(before.iban_encrypted) : undefined)
    const merged: RoutingView = {
      ...before.routing,
      ...(r.ach_routing_number !== undefined ? { ach_routing_number: r.ach_routing_number } : {}),
      ...(r.wire_routing_number !== undefined ? { wire_routing_number: r.wire_routing_number } : {}),
      ...(r.eft_ca_routing_number !== undefined ? { eft_ca_routing_number: r.eft_ca_routing_number } : {}),
      ...(r.bank_name !== undefined ? { bank_name: r.bank_name } : {}),
      ...(r.international_wire_details?.swift_code !== undefined ? { swift_code: r.international_wire_details.swift_code } : {}),
      ...(r.international_wire_details?.bank_address !== undefined ? { bank_address: r.international_wire_details.bank_address as Record<string, unknown> } : {}),
      ...(r.international_wire_details?.correspondent_banks_details !== undefined ? { correspondent_bank_details: r.international_wire_details.correspondent_banks_details as Record<string, unknown>[] } : {}),
    }
    after.routing = checkNumbers({ number, iban, routing: merged }, { number: 'account_identifiers.number', iban: 'account_identifiers.iban', routing: 'routing_identifiers' })
    after.account_number_encrypted = number !== undefined ? services.vault.encrypt(number) : null
    after.account_number_last4 = number !== undefined ? lastFour(number) : null
    after.iban_encrypted = iban !== undefined ? services.vault.encrypt(iban) : null
    after.iban_last4 = iban !== undefined ? lastFour(iban) : null
    after.numbers_sha256 = numbersSha256(after.routing, number, iban)
    const party = { customer_id: before.customer_id, business_id: before.business_id }
    await lockPartyAccounts(tx, workspace.id, party)
    await refuseDuplicate(tx, workspace.id, party, after.numbers_sha256, id)
  }
  const verification = verificationOf(body.verification)
  if (verification) {
    if (verification.status !== before.verification_status || verification.vendor !== before.verification_vendor) after.verification_updated_at = now
    after.verification_status = verification.status
    after.verification_vendor = verification.vendor
    if (verification.status === 'VERIFIED' && before.verification_status !== 'VERIFIED') after.verified_at = now
    if (verification.status === 'UNVERIFIED') after.verified_at = null
  }
  const viewBefore = toExternalAccount(before)
  const changed = changedFields(viewBefore, toExternalAccount(after))
  if (Object.keys(changed).length === 0 && !numbersChange) return viewBefore
  after.updated_at = now
  await saveAccount(tx, after)
  const resource = toExternalAccount(after)
  await recordEvent(tx, { at: now, workspaceId: workspace.id, type: eventTypes.updated, resourceId: id, resource, changedFields: changedFields(viewBefore, resource) })
  return resource
}
