import type { Static } from 'typebox'
import { ApiError, badBody } from '../../platform/errors.js'
import { changedFields, recordEvent } from '../../platform/events.js'
import type { Api } from '../../platform/http.js'
import { uuidv7 } from '../../platform/ids.js'
import { listBody, readPage } from '../../platform/pagination.js'
import { address_base, address_post, address_response_base, type address_response, type listAddressesQuery } from '../../spec/schemas.js'
import { requireBusiness, requirePerson } from '../parties.js'
import { refuseChangedServerSetFields } from '../request-fields.js'
import { countryAlpha2 } from './countries.js'
import { addressDraftOf, addressFieldNames, checkAddress } from './service.js'
import { getAddress, insertAddress, listAddresses, updateAddress, type AddressFilter, type AddressRow } from './store.js'

type Address = Static<typeof address_response>

const addressTypes = ['BILLING', 'LEGAL', 'OPERATING', 'OTHER', 'SHIPPING']
type Properties = Record<string, { readOnly?: boolean }>
const createProperties: Properties = Object.assign({}, ...(address_post.allOf as { properties: Properties }[]).map((part) => part.properties))
// A PATCH may send back what a GET returned; the fields address_patch leaves out are fixed.
const fixedOnPatch = ['id', 'customer_id', 'business_id', 'address_type', 'creation_date', 'last_updated_time'] as const
const patchProperties: Properties = { ...(address_response_base.properties as Properties), id: {}, address_type: {}, ...(address_base.properties as Properties) }

export function toAddress(row: AddressRow): Address {
  return {
    id: row.id,
    ...(row.customer_id ? { customer_id: row.customer_id } : {}),
    ...(row.business_id ? { business_id: row.business_id } : {}),
    address_type: row.address_type as Address['address_type'],
    ...row.fields,
    is_active: row.is_active,
    creation_date: row.created_at.toISOString(),
    last_updated_time: row.updated_at.toISOString(),
  }
}

/**
 * The list filters. The spec names the address type parameter "Address type" (its title, by the
 * look of it); `address_type` is accepted as well, since that is what a client will send, and
 * checked the same way.
 */
function filterOf(query: Static<typeof listAddressesQuery> & Record<string, unknown>): AddressFilter {
  const alias = query.address_type
  if (alias !== undefined && (typeof alias !== 'string' || !addressTypes.includes(alias))) {
    throw new ApiError('BAD_QUERY_PARAMETER', `address_type must be one of: ${addressTypes.join(', ')}`)
  }
  const named = query['Address type']
  if (named !== undefined && alias !== undefined && named !== alias) {
    throw new ApiError('BAD_QUERY_PARAMETER', '"Address type" and address_type disagree; send one')
  }
  let countryCode: string | undefined
  if (query.country !== undefined) {
    countryCode = countryAlpha2(query.country)
    if (!countryCode) throw new ApiError('BAD_QUERY_PARAMETER', `country ${query.country} is not an ISO 3166-1 alpha-2 or alpha-3 code`)
  }
  return {
    customer_id: query.customer_id,
    business_id: query.business_id,
    country_code: countryCode,
    address_type: named ?? (alias as string | undefined),
    is_active: query.is_active,
    is_registered_agent: query.is_registered_agent,
  }
}

export function registerAddressRoutes(api: Api): void {
  const { clock, sql } = api.services

  api.write('createAddress', async ({ tx, workspace, body }) => {
    refuseChangedServerSetFields({ body, properties: createProperties, current: undefined, workspaceId: workspace.id })
    // Exactly one owner: a person (customer_id) or a business.
    if ((body.customer_id === undefined) === (body.business_id === undefined)) {
      const why = 'exactly one of customer_id or business_id'
      throw badBody(`${why} must be set`, { invalid: { customer_id: why, business_id: why } })
    }
    const fields = checkAddress(addressDraftOf(body))
    if (body.customer_id) await requirePerson(tx, workspace.id, body.customer_id, 'customer_id')
    if (body.business_id) await requireBusiness(tx, workspace.id, body.business_id)
    const now = clock.now(workspace.id)
    const row: AddressRow = {
      workspace_id: workspace.id,
      id: uuidv7(),
      customer_id: body.customer_id ?? null,
      business_id: body.business_id ?? null,
      address_type: body.address_type,
      is_active: body.is_active ?? true,
      fields,
      created_at: now,
      updated_at: now,
    }
    await insertAddress(tx, row)
    const resource = toAddress(row)
    await recordEvent(tx, { at: now, workspaceId: workspace.id, type: 'ADDRESS.CREATED', resourceId: row.id, resource })
    return resource
  })

  api.read('getAddress', async ({ workspace, params }) => {
    const row = await getAddress(sql, workspace.id, params.address_id)
    if (!row) throw new ApiError('RESOURCE_NOT_FOUND', `address ${params.address_id} not found`)
    return toAddress(row)
  })

  api.write('updateAddress', async ({ tx, workspace, params, body }) => {
    const current = await getAddress(tx, workspace.id, params.address_id, { forUpdate: true })
    if (!current) throw new ApiError('RESOURCE_NOT_FOUND', `address ${params.address_id} not found`)
    const before = toAddress(current)
    refuseChangedServerSetFields({ body, properties: patchProperties, current: before, workspaceId: workspace.id, alsoImmutable: fixedOnPatch })
    const fields = checkAddress({ ...current.fields, ...addressDraftOf(body) })
    const isActive = body.is_active ?? current.is_active
    const unchanged = isActive === current.is_active && addressFieldNames.every((name) => fields[name] === current.fields[name])
    // A patch that changes nothing is answered with the address as it is: no event, no new timestamp.
    if (unchanged) return before

    const row: AddressRow = { ...current, fields, is_active: isActive, updated_at: clock.now(workspace.id) }
    await updateAddress(tx, row)
    const after = toAddress(row)
    await recordEvent(tx, { at: row.updated_at, workspaceId: workspace.id, type: 'ADDRESS.UPDATED', resourceId: row.id, resource: after, changedFields: changedFields(before, after) })
    return after
  })

  api.read('listAddresses', async ({ workspace, query }) => {
    const filter = filterOf(query as Static<typeof listAddressesQuery> & Record<string, unknown>)
    const page = readPage(query)
    const rows = await listAddresses(sql, workspace.id, filter, page)
    return listBody('addresses', rows, page.limit, toAddress)
  })
}
