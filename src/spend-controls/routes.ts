// GET/POST /v0/spend_controls, GET/PATCH /v0/spend_controls/{spend_control_id}.

import { accountsPerSpendControl, getAccount } from '../accounts/index.js'
import { ApiError, badQuery } from '../platform/errors.js'
import type { Api } from '../platform/http.js'
import { uuidv7 } from '../platform/ids.js'
import { readPage } from '../platform/pagination.js'
import { checkAmountLimit, checkMerchantCategoryCodes, timeRangeOf, toSpendControl } from './service.js'
import { countSpendControls, findSpendControls, getSpendControl, insertSpendControl, spendControlsPerWorkspaceMax, updateSpendControl, type SpendControlRow } from './store.js'

type SortField = 'amount_limit' | 'is_active' | 'last_modified_time' | 'name' | 'num_related_accounts'

const sortValue = (row: SpendControlRow, related: number, field: SortField): number | string | boolean => {
  switch (field) {
    case 'amount_limit': return Number(row.amount_limit)
    case 'is_active': return row.is_active
    case 'last_modified_time': return row.updated_at.getTime()
    case 'name': return row.name
    case 'num_related_accounts': return related
  }
}

const pageToken = (id: string) => Buffer.from(JSON.stringify({ after: id })).toString('base64url')

export function registerSpendControlRoutes(api: Api): void {
  const { sql, clock } = api.services

  api.write('createSpendControl', async ({ tx, workspace, body }) => {
    checkAmountLimit(body.amount_limit)
    checkMerchantCategoryCodes(body.merchant_category_codes)
    if ((await countSpendControls(tx, workspace.id)) >= spendControlsPerWorkspaceMax) throw new ApiError('INVALID_STATUS', `a workspace has at most ${spendControlsPerWorkspaceMax} spend controls`)
    const now = clock.now(workspace.id)
    const row: SpendControlRow = {
      workspace_id: workspace.id, id: uuidv7(), name: body.name, is_active: body.is_active, action_case: body.action_case, action_decline: body.action_decline,
      amount_limit: BigInt(body.amount_limit), direction: body.direction ?? null, merchant_category_codes: [...(body.merchant_category_codes ?? [])],
      payment_types: [...new Set(body.payment_types ?? [])], payment_sub_types: [...new Set(body.payment_sub_types ?? [])], ...timeRangeOf(body),
      created_at: now, updated_at: now,
    }
    await insertSpendControl(tx, row)
    return toSpendControl(row, 0)
  })

  api.read('getSpendControl', async ({ workspace, params }) => {
    const row = await getSpendControl(sql, workspace.id, params.spend_control_id)
    if (!row) throw new ApiError('RESOURCE_NOT_FOUND', `spend control ${params.spend_control_id} not found`)
    return toSpendControl(row, (await accountsPerSpendControl(sql, workspace.id, [row.id])).get(row.id) ?? 0)
  })

  api.write('updateSpendControl', async ({ tx, workspace, params, body }) => {
    const row = await getSpendControl(tx, workspace.id, params.spend_control_id, true)
    if (!row) throw new ApiError('RESOURCE_NOT_FOUND', `spend control ${params.spend_control_id} not found`)
    checkAmountLimit(body.amount_limit)
    checkMerchantCategoryCodes(body.merchant_category_codes)
    const after: SpendControlRow = {
      ...row,
      name: body.name ?? row.name,
      is_active: body.is_active ?? row.is_active,
      action_case: body.action_case ?? row.action_case,
      action_decline: body.action_decline ?? row.action_decline,
      amount_limit: body.amount_limit !== undefined ? BigInt(body.amount_limit) : row.amount_limit,
      direction: body.direction ?? row.direction,
      merchant_category_codes: body.merchant_category_codes ? [...body.merchant_category_codes] : row.merchant_category_codes,
      payment_types: body.payment_types ? [...new Set(body.payment_types)] : row.payment_types,
      payment_sub_types: body.payment_sub_types ? [...new Set(body.payment_sub_types)] : row.payment_sub_types,
      ...(body.time_range ? timeRangeOf(body) : {}),
      updated_at: clock.now(workspace.id),
    }
    await updateSpendControl(tx, after)
    return toSpendControl(after, (await accountsPerSpendControl(tx, workspace.id, [row.id])).get(row.id) ?? 0)
  })

  api.read('listSpendControls', async ({ workspace, query }) => {
    const page = readPage(query)
    for (const name of ['amount_limit', 'amount_limit_gte', 'amount_limit_lte'] as const) {
      const v = query[name]
      if (v !== undefined && !Number.isSafeInteger(v)) throw badQuery({ invalid: { [name]: `must be at most ${Number.MAX_SAFE_INTEGER}` } })
    }
    let ids = query.id
    if (query.account_id !== undefined) {
      const account = await getAccount(sql, workspace.id, query.account_id)
      const attached = (account?.fields.spend_control_ids as string[] | undefined) ?? []
      ids = ids?.length ? ids.filter((id) => attached.includes(id)) : attached
      if (ids.length === 0) return { spend_controls: [] }
    }
    const rows = await findSpendControls(sql, workspace.id, { ...query, id: ids })
    const related = await accountsPerSpendControl(sql, workspace.id, rows.map((r) => r.id))
    const n = (r: SpendControlRow) => related.get(r.id) ?? 0
    const kept = rows.filter((r) =>
      (query.num_related_accounts === undefined || n(r) === query.num_related_accounts) &&
      (query.num_related_accounts_gte === undefined || n(r) >= query.num_related_accounts_gte) &&
      (query.num_related_accounts_lte === undefined || n(r) <= query.num_related_accounts_lte))
    const keys = (query.sort_by ?? []).map((s) => { const [field, dir] = s.split(':'); return { field: field as SortField, desc: dir === 'desc' } })
    kept.sort((a, b) => {
      for (const k of keys) {
        const x = sortValue(a, n(a), k.field)
        const y = sortValue(b, n(b), k.field)
        if (x !== y) return (x < y ? -1 : 1) * (k.desc ? -1 : 1)
      }
      return a.id < b.id ? -1 : 1
    })
    const start = page.afterId ? kept.findIndex((r) => r.id === page.afterId) + 1 : 0
    const items = kept.slice(start, start + page.limit)
    const more = start + page.limit < kept.length
    return { spend_controls: items.map((r) => toSpendControl(r, n(r))), ...(more ? { next_page_token: pageToken(items[items.length - 1].id) } : {}) }
  })
}
