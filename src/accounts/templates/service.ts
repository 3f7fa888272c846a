// Account templates: the terms an account copies when opened (type, currency, limits, rails,
// products). Request fields on POST /accounts override them.

import { assert } from '../../platform/assert.js'
import { ApiError } from '../../platform/errors.js'
import { account_template, account_template_response } from '../../spec/schemas.js'
import { accountShapes, checkShape, isAccountType } from '../account-types.js'
import { keepDeclared } from '../declared.js'
import type { Queryable } from '../../platform/db.js'
import { uuidv7 } from '../../platform/ids.js'
import type { Page } from '../../platform/pagination.js'
import { deleteTemplate, getTemplate, insertTemplate, listTemplates, updateTemplate, type TemplateRow } from './store.js'
import { unknownProducts } from '../products/store.js'
import { unknownAccountIds } from '../customer-accounts/store.js'
import { isUuid } from '../../platform/ids.js'
import { spendControlsByIds } from '../../spend-controls/index.js'

type Json = Record<string, unknown>

/** The fields of an account's terms that name another account (a sweep, overdraft or security account). */
export const accountReferences = [
  ['balance_ceiling', 'overflow_account_id'], ['balance_ceiling', 'linked_account_id'],
  ['balance_floor', 'overdraft_account_id'], ['balance_floor', 'linked_account_id'],
  ['security', 'linked_account_id'],
] as const

/** Every account the terms name exists in the caller's workspace (400 ACCOUNT_NOT_FOUND otherwise). */
async function requireAccountsNamed(db: Queryable, workspaceId: string, terms: Json, at: string): Promise<void> {
  const named = accountReferences.flatMap(([object, field]) => {
    const id = (terms[object] as Json | undefined)?.[field]
    return typeof id === 'string' ? [{ path: `${at}${object}.${field}`, id }] : []
  })
  const unknown = new Set(await unknownAccountIds(db, workspaceId, [...new Set(named.map((n) => n.id))]))
  const missing = named.filter((n) => unknown.has(n.id))
  if (missing.length) {
    throw new ApiError('ACCOUNT_NOT_FOUND', `${missing.map((m) => `${m.path} ${m.id}`).join(', ')}: no such account in this workspace`)
  }
}

/**
 * The ids among `ids` that name no spend control of the workspace. An id must be written as the
 * spend control's own (lowercase): the card authorization engine and the lists match the ids an
 * account holds as text, so `urn:uuid:…` or capitals, which the spec's uuid format lets through,
 * would name nothing for them.
 */
async function unknownSpendControls(db: Queryable, workspaceId: string, ids: string[]): Promise<string[]> {
  const found = new Set((await spendControlsByIds(db, workspaceId, ids.filter(isUuid))).map((c) => c.id))
  return ids.filter((id) => !found.has(id))
}

/**
 * Terms shared by templates and accounts: the products, spend controls and accounts named exist in
 * the workspace (products with the right type), and the floor (less any overdraft) lies below the
 * ceiling.
 */
export async function validateTerms(db: Queryable, workspaceId: string, terms: Json, at: string): Promise<void> {
  const interest = terms.interest_product_id as string | undefined
  if (interest && (await unknownProducts(db, workspaceId, 'INTEREST', [interest])).length) {
    throw new ApiError('BAD_REQUEST_BODY', `${at}interest_product_id ${interest} names no INTEREST product`, { invalid: { [`${at}interest_product_id`]: 'no such INTEREST product' } })
  }
  const fees = (terms.fee_product_ids as string[] | undefined) ?? []
  const unknown = await unknownProducts(db, workspaceId, 'FEE', [...new Set(fees)])
  if (unknown.length) throw new ApiError('BAD_REQUEST_BODY', `${at}fee_product_ids name no FEE product: ${unknown.join(', ')}`, { invalid: { [`${at}fee_product_ids`]: 'no such FEE product' } })
  const controls = await unknownSpendControls(db, workspaceId, [...new Set((terms.spend_control_ids as string[] | undefined) ?? [])])
  if (controls.length) throw new ApiError('BAD_REQUEST_BODY', `${at}spend_control_ids name no spend control of this workspace: ${controls.join(', ')}`, { invalid: { [`${at}spend_control_ids`]: 'no such spend control' } })
  // int64 in the spec, but a JSON number past 2^53 has already lost digits: refuse it rather than guess.
  for (const [field, v] of [['balance_floor.balance', (terms.balance_floor as { balance?: number } | undefined)?.balance], ['balance_ceiling.balance', (terms.balance_ceiling as { balance?: number } | undefined)?.balance], ['overdraft_limit', terms.overdraft_limit]] as const) {
    if (v !== undefined && !Number.isSafeInteger(v)) throw new ApiError('BAD_REQUEST_BODY', `${at}${field} must be a whole number of minor units within ±${Number.MAX_SAFE_INTEGER}`, { invalid: { [`${at}${field}`]: 'out of range' } })
  }
  await requireAccountsNamed(db, workspaceId, terms, at)
  const floor = (terms.balance_floor as { balance: number } | undefined)?.balance
  const ceiling = (terms.balance_ceiling as { balance: number } | undefined)?.balance
  if (floor !== undefined && ceiling !== undefined && floor > ceiling) {
    throw new ApiError('BAD_REQUEST_BODY', `${at}balance_floor is above balance_ceiling`, { invalid: { [`${at}balance_floor`]: 'above balance_ceiling' } })
  }
}

/** A template as the API shows it: only what the response schema declares, whatever an older row holds. */
export function toTemplate(row: TemplateRow): Json {
  const terms = row.fields.template as Json
  const shape = isAccountType(terms.account_type) ? accountShapes[terms.account_type].template : undefined
  assert(shape, `template ${row.id} has a known account_type`)
  return keepDeclared(account_template_response, { ...row.fields, template: keepDeclared(shape, terms), id: row.id, is_enabled: row.is_enabled, name: row.name })
}

/**
 * A template row from a request body: its terms are those of the shape template.account_type
 * names (the spec's discriminator), validated against it, and only what it declares is kept.
 */
async function templateRow(db: Queryable, workspaceId: string, body: Json, id: string, createdAt: Date, now: Date): Promise<TemplateRow> {
  const accountType = (body.template as Json).account_type
  assert(isAccountType(accountType), 'the route validated template.account_type')
  const shape = accountShapes[accountType].template
  checkShape(shape, body.template, 'template.')
  const fields: Json = { ...keepDeclared(account_template, body), template: keepDeclared(shape, body.template) }
  delete fields.id
  const template = fields.template as Json
  await validateTerms(db, workspaceId, template, 'template.')
  return { workspace_id: workspaceId, id, name: body.name as string, account_type: accountType, is_enabled: body.is_enabled as boolean, fields, created_at: createdAt, updated_at: now }
}

export async function createTemplate(db: Queryable, workspaceId: string, body: Json, now: Date): Promise<Json> {
  const row = await templateRow(db, workspaceId, body, uuidv7(), now, now)
  await insertTemplate(db, row)
  return toTemplate(row)
}

export async function replaceTemplate(db: Queryable, workspaceId: string, templateId: string, body: Json, now: Date): Promise<Json> {
  const current = await getTemplate(db, workspaceId, templateId)
  if (!current) throw new ApiError('RESOURCE_NOT_FOUND', `account template ${templateId} not found`)
  const row = await templateRow(db, workspaceId, body, current.id, current.created_at, now)
  await updateTemplate(db, row)
  return toTemplate(row)
}

export async function readTemplate(db: Queryable, workspaceId: string, templateId: string): Promise<Json> {
  const row = await getTemplate(db, workspaceId, templateId)
  if (!row) throw new ApiError('RESOURCE_NOT_FOUND', `account template ${templateId} not found`)
  return toTemplate(row)
}

export async function removeTemplate(db: Queryable, workspaceId: string, templateId: string): Promise<void> {
  if (!(await deleteTemplate(db, workspaceId, templateId))) throw new ApiError('RESOURCE_NOT_FOUND', `account template ${templateId} not found`)
}

export const templatePage = (db: Queryable, workspaceId: string, filter: { account_type?: string }, page: Page): Promise<TemplateRow[]> =>
  listTemplates(db, workspaceId, filter, page)

/** The template an account opens from: it must exist (400 otherwise, it is named in a body) and be enabled. */
export async function templateToOpenFrom(db: Queryable, workspaceId: string, templateId: string): Promise<Json> {
  const t = await getTemplate(db, workspaceId, templateId)
  if (!t) throw new ApiError('BAD_REQUEST_BODY', `account_template_id ${templateId} names no template`, { invalid: { account_template_id: 'no such template' } })
  if (!t.is_enabled) throw new ApiError('BAD_CONFIGURATION', `account template ${t.id} is disabled`)
  return (t.fields.template as Json) ?? {}
}
