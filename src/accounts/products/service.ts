// Account products: INTEREST (rates, calculation method, payout schedule) and FEE (type, amount,
// currency). Stored, validated and attached to accounts; accrual and charging come later.

import type { Static } from 'typebox'
import { ApiError } from '../../platform/errors.js'
import { isUuid, uuidv7 } from '../../platform/ids.js'
import type { Queryable, Sql } from '../../platform/db.js'
import type { Page } from '../../platform/pagination.js'
import { declaredShape } from '../../platform/objects.js'
import { account_product } from '../../spec/schemas.js'
import { getProduct, insertProduct, listProducts, updateProduct, type ProductRow } from './store.js'

type Product = Static<typeof account_product>
type Json = Record<string, unknown>

const interestFields = ['accrual_payout_schedule', 'calculation_method', 'rates'] as const
const feeFields = ['amount', 'currency', 'fee_type'] as const
/** Fields each product type keeps; the other type's fields are refused, not silently stored. */
const allowedFields = {
  INTEREST: new Set(['product_type', 'description', ...interestFields]),
  FEE: new Set(['product_type', 'description', ...feeFields]),
}

/** Checks a whole product (after a patch is applied) against the rules its type carries. */
export function validateProduct(p: Json): void {
  const type = p.product_type as 'INTEREST' | 'FEE'
  const required = type === 'INTEREST' ? interestFields : feeFields
  const missing = required.filter((f) => p[f] === undefined)
  if (missing.length) throw new ApiError('BAD_REQUEST_BODY', `missing required fields for a ${type} product: ${missing.join(', ')}`, { missing })
  const unknown = Object.keys(p).filter((k) => k !== 'id' && !allowedFields[type].has(k))
  if (unknown.length) throw new ApiError('BAD_REQUEST_BODY', `fields not part of a ${type} product: ${unknown.join(', ')}`, { invalid: Object.fromEntries(unknown.map((k) => [k, 'unknown field'])) })
  if (type === 'FEE' && ((p.amount as number) < 0 || !Number.isSafeInteger(p.amount))) throw new ApiError('BAD_REQUEST_BODY', `a fee amount is 0 to ${Number.MAX_SAFE_INTEGER} minor units`, { invalid: { amount: `must be 0 to ${Number.MAX_SAFE_INTEGER}` } })
  if (type === 'INTEREST') {
    const rates = p.rates as { valid_from: string; valid_to?: string }[]
    if (rates.length === 0) throw new ApiError('BAD_REQUEST_BODY', 'an interest product needs at least one rate', { invalid: { rates: 'must not be empty' } })
    rates.forEach((r, i) => {
      if (r.valid_to !== undefined && r.valid_to < r.valid_from) throw new ApiError('BAD_REQUEST_BODY', `rates[${i}]: valid_to is before valid_from`, { invalid: { [`rates[${i}].valid_to`]: 'before valid_from' } })
    })
    // Periods must not overlap, or which rate applies on a day would be ambiguous. valid_to is
    // exclusive (the spec), so a period may end on the day the next one starts.
    const sorted = [...rates].sort((a, b) => a.valid_from.localeCompare(b.valid_from))
    for (let i = 1; i < sorted.length; i++) {
      const prevEnd = sorted[i - 1].valid_to
      if (prevEnd === undefined || prevEnd > sorted[i].valid_from) throw new ApiError('BAD_REQUEST_BODY', 'interest rate periods overlap', { invalid: { rates: 'periods overlap' } })
    }
  }
}

/** A product as answered; a product kept before its rates were pruned (kept, below) shows only what they declare. */
export const toProduct = (row: ProductRow): Product => ({ ...(declaredShape(account_product, row.fields) as Product), id: row.id, product_type: row.product_type })

/**
 * What a request's product keeps: the properties either type declares, at every depth (a rate's
 * too). One type's fields on the other are kept here and refused by validateProduct.
 */
const kept = (body: Json): Json => declaredShape(account_product, { ...body })

/** A new product, validated whole. */
export async function createProduct(db: Queryable, workspaceId: string, body: Json, now: Date): Promise<Product> {
  const fields = kept(body)
  delete fields.id
  validateProduct(fields)
  const row: ProductRow = { workspace_id: workspaceId, id: uuidv7(), product_type: fields.product_type as 'INTEREST' | 'FEE', fields, created_at: now, updated_at: now }
  await insertProduct(db, row)
  return toProduct(row)
}

/** A PATCH: the fields given replace the product's, of the same type, and the whole is validated again. */
export async function patchProduct(db: Queryable, workspaceId: string, productId: string, body: Json, now: Date): Promise<Product> {
  const row = await getProduct(db, workspaceId, productId, true)
  if (!row) throw new ApiError('RESOURCE_NOT_FOUND', `account product ${productId} not found`)
  const patch = kept(body)
  delete patch.id
  if (patch.product_type !== row.product_type) throw new ApiError('BAD_REQUEST_BODY', `product_type cannot change (it is ${row.product_type})`, { invalid: { product_type: `must be ${row.product_type}` } })
  const fields = { ...row.fields, ...patch }
  validateProduct(fields)
  const updated: ProductRow = { ...row, fields, updated_at: now }
  await updateProduct(db, updated)
  return toProduct(updated)
}

/**
 * A page of products of one type. `id` is one id or several separated by commas (the spec types it
 * as a plain string: what is not a UUID names no product). The dates are the spec's, for INTEREST
 * products: every rate valid from `start_date` or later, and every rate valid to `end_date` or
 * earlier (a rate with no end is not); a FEE product has no rates, and they do not apply to it.
 */
export async function productPage(sql: Sql, workspaceId: string, query: { product_type: string; id?: string; start_date?: string; end_date?: string }, page: Page): Promise<ProductRow[]> {
  const ids = query.id?.split(',').map((id) => id.trim())
  if (ids !== undefined && !ids.some(isUuid)) return []
  if (query.start_date && query.end_date && query.end_date < query.start_date) throw new ApiError('BAD_QUERY_PARAMETER', 'end_date is before start_date')
  const interest = query.product_type === 'INTEREST'
  return listProducts(sql, workspaceId, {
    product_type: query.product_type, ids: ids?.filter(isUuid),
    ratesFrom: interest ? query.start_date : undefined, ratesTo: interest ? query.end_date : undefined,
  }, page)
}
