// Card products. Synctera configures a fintech's card products (program, BIN, brand, fulfilment);
// there is no API to create one. A sandbox workspace has this fixed catalogue, with sandbox BINs
// and ids derived from the workspace id, so they are the same across restarts and wipes and
// differ between workspaces. A live workspace has none until its bank configures a program.

import type { Api } from '../platform/http.js'
import { nameBasedId } from '../platform/ids.js'
import { listBody, readPage } from '../platform/pagination.js'
import type { Workspace } from '../platform/workspaces.js'

type Json = Record<string, unknown>

export interface CardProduct {
  key: string
  name: string
  form: 'PHYSICAL' | 'VIRTUAL'
  cardType: 'DEBIT' | 'PREPAID'
  brand: 'VISA' | 'MASTERCARD'
  bin: string
  /** Custom images: REQUIRED_APPROVED_FIRST means every card names an approved image. */
  imageMode?: 'REQUIRED_APPROVED_FIRST'
  physicalFormat?: 'CHIP' | 'CONTACTLESS'
}

/** Sandbox BINs: test ranges of the two networks, never a real issuer's. */
export const sandboxCardProducts: readonly CardProduct[] = [
  { key: 'virtual-debit', name: 'Keel Sandbox Virtual Debit', form: 'VIRTUAL', cardType: 'DEBIT', brand: 'VISA', bin: '40001100' },
  { key: 'physical-debit', name: 'Keel Sandbox Physical Debit', form: 'PHYSICAL', cardType: 'DEBIT', brand: 'VISA', bin: '40001200', physicalFormat: 'CHIP' },
  { key: 'physical-debit-custom', name: 'Keel Sandbox Custom Image Debit', form: 'PHYSICAL', cardType: 'DEBIT', brand: 'MASTERCARD', bin: '22230300', physicalFormat: 'CONTACTLESS', imageMode: 'REQUIRED_APPROVED_FIRST' },
  { key: 'virtual-prepaid', name: 'Keel Sandbox Virtual Prepaid', form: 'VIRTUAL', cardType: 'PREPAID', brand: 'MASTERCARD', bin: '22230400' },
]

/** The products went live at the epoch of the sandbox catalogue: a fixed instant, not "now". */
const catalogueStart = '2024-01-01T00:00:00.000Z'
/** The catalogue is not decommissioned: the spec requires an end date, so it is far off. */
const catalogueEnd = '2099-12-31T23:59:59.000Z'

export interface WorkspaceCardProduct extends CardProduct { id: string; programId: string }

export function productsOf(workspace: Workspace): WorkspaceCardProduct[] {
  if (workspace.mode !== 'sandbox') return []
  return sandboxCardProducts
    .map((p) => ({ ...p, id: nameBasedId(workspace.id, `card-product/${p.key}`), programId: nameBasedId(workspace.id, `card-program/${p.cardType}`) }))
    .sort((a, b) => (a.id < b.id ? -1 : 1))
}

export function findProduct(workspace: Workspace, id: string): WorkspaceCardProduct | undefined {
  return productsOf(workspace).find((p) => p.id === id)
}

export function toCardProduct(p: WorkspaceCardProduct): Json {
  return {
    id: p.id,
    name: p.name,
    active: true,
    card_program_id: p.programId,
    start_date: catalogueStart,
    end_date: catalogueEnd,
    digital_wallet_tokenization: {
      provisioning_controls: {
        in_app_provisioning: { enabled: true, address_verification: { validate: false } },
        manual_entry: { enabled: true, address_verification: { validate: true } },
        wallet_provider_card_on_file: { enabled: true, address_verification: { validate: false } },
      },
    },
    creation_time: catalogueStart,
    last_modified_time: catalogueStart,
    form: p.form,
    card_type: p.cardType,
    card_brand: p.brand,
    card_category: 'CONSUMER',
    bin_country: 'US',
    cross_border_enabled: false,
    issue_without_kyc: false,
    l2l3_enabled: false,
    three_ds_policy: 'EXEMPT',
    txn_enhancer: 'NONE',
    image: p.imageMode !== undefined,
    ...(p.imageMode ? { image_mode: p.imageMode } : {}),
    ...(p.form === 'PHYSICAL' ? { physical_card_format: p.physicalFormat, card_fulfillment_provider: 'ARROWEYE', card_fulfillment_country: 'US' } : {}),
  }
}

export function registerProductRoutes(api: Api): void {
  api.read('listCardProducts', async ({ workspace, query }) => {
    const page = readPage(query)
    const rows = productsOf(workspace).filter((p) => query.form === undefined || p.form === query.form)
      .filter((p) => page.afterId === undefined || p.id > page.afterId)
      .slice(0, page.limit + 1)
    return listBody('card_products', rows, page.limit, toCardProduct)
  })
}
