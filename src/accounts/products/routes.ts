// HTTP for account products: INTEREST and FEE products.

import type { Api } from '../../platform/http.js'
import { listBody, readPage } from '../../platform/pagination.js'
import { createProduct, patchProduct, productPage, toProduct } from './service.js'

export function registerProductRoutes(api: Api): void {
  const { clock, sql } = api.services

  api.write('createAccountResourceProduct', async ({ tx, workspace, body }) => createProduct(tx, workspace.id, body, clock.now(workspace.id)))

  api.write('patchAccountProduct', async ({ tx, workspace, params, body }) => patchProduct(tx, workspace.id, params.product_id, body, clock.now(workspace.id)))

  api.read('listAccountResourceProducts', async ({ workspace, query }) => {
    const page = readPage(query)
    return listBody('account_products', await productPage(sql, workspace.id, query, page), page.limit, toProduct)
  })
}
