// HTTP for account templates: the terms an account copies when opened.

import type { Api } from '../../platform/http.js'
import { listBody, readPage } from '../../platform/pagination.js'
import { createTemplate, readTemplate, removeTemplate, replaceTemplate, templatePage, toTemplate } from './service.js'

export function registerTemplateRoutes(api: Api): void {
  const { clock, sql } = api.services

  api.write('createAccountTemplate', async ({ tx, workspace, body }) => createTemplate(tx, workspace.id, body, clock.now(workspace.id)))

  api.write('updateAccountTemplate', async ({ tx, workspace, params, body }) => replaceTemplate(tx, workspace.id, params.template_id, body, clock.now(workspace.id)))

  api.read('getAccountTemplate', async ({ workspace, params }) => readTemplate(sql, workspace.id, params.template_id))

  api.write('DeleteAccountTemplate', async ({ tx, workspace, params }) => {
    await removeTemplate(tx, workspace.id, params.template_id)
    return { id: params.template_id, resource: 'account_template' }
  })

  api.read('listAccountTemplates', async ({ workspace, query }) => {
    const page = readPage(query)
    return listBody('account_templates', await templatePage(sql, workspace.id, { account_type: query.account_type }, page), page.limit, toTemplate)
  })
}
