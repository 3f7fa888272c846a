// GET /v0/statements, /v0/statements/{id} (JSON, or PDF with Accept: application/pdf, a Keel
// extension) and /v0/statements/{id}/transactions.

import type { FastifyRequest } from 'fastify'
import { getAccount } from '../accounts/index.js'
import { entriesOf, periodTransfers, type TransferRow } from '../ledger/index.js'
import { ApiError } from '../platform/errors.js'
import type { Api } from '../platform/http.js'
import { listBody, pageOf, readPage } from '../platform/pagination.js'
import { isoString } from '../platform/clock.js'
import { easternDayOf } from './calendar.js'
import { renderStatementPdf } from './pdf.js'
import { toStatement, toStatementSummary, toStatementTransactions } from './service.js'
import { getStatement, listStatements, type StatementRow } from './store.js'

/** Transactions one PDF lists at most (a statement with more says so and points to the API). */
export const pdfLinesMax = 5_000

const wantsPdf = (req: FastifyRequest) => {
  const accept = req.headers.accept ?? ''
  return /application\/pdf/i.test(accept) && !/application\/json/i.test(accept.split(',')[0] ?? '')
}

export function registerStatementRoutes(api: Api): void {
  const { sql } = api.services

  api.read('listStatements', async ({ workspace, query }) => {
    const page = readPage(query)
    const rows = await listStatements(sql, workspace.id, query.account_id, page)
    return listBody('statements', rows, page.limit, toStatementSummary)
  })

  const found = async (workspaceId: string, id: string): Promise<StatementRow> => {
    const s = await getStatement(sql, workspaceId, id)
    if (!s) throw new ApiError('RESOURCE_NOT_FOUND', `statement ${id} not found`)
    return s
  }

  api.route('getStatement', async (req, reply) => {
    const { statement_id: id } = req.params as { statement_id: string }
    const s = await found(req.workspace.id, id)
    const account = await getAccount(sql, req.workspace.id, s.account_id)
    if (!account) throw new ApiError('RESOURCE_NOT_FOUND', `statement ${id} not found`)
    const body = await toStatement(sql, s, account)
    if (!wantsPdf(req)) return reply.code(200).send(body)
    const transfers: TransferRow[] = []
    let afterId: string | undefined
    while (transfers.length < pdfLinesMax) {
      const rows = await periodTransfers(sql, s.workspace_id, s.account_id, s.period_start, s.period_end, { limit: 1000, afterId })
      transfers.push(...rows.slice(0, 1000))
      if (rows.length <= 1000) break
      afterId = rows[999].id
    }
    const entries = await entriesOf(sql, s.workspace_id, transfers.map((t) => t.id))
    const summary = body.account_summary as { account_number: string; account_type: string }
    const pdf = await renderStatementPdf({
      bankName: 'Keel', accountNumber: summary.account_number, accountType: summary.account_type, currency: s.currency,
      startDate: s.start_date, endDate: s.end_date, issueDate: s.issue_date,
      opening: s.opening_balance, closing: s.closing_balance, credits: s.total_credits, debits: s.total_debits,
      interestPaid: s.interest_paid, feesCharged: s.fees_charged, feesOwed: s.fees_owed,
      lines: transfers.map((t) => ({
        date: easternDayOf(t.posted_at ?? t.created_at),
        description: t.memo || t.type.replaceAll('_', ' ').toLowerCase(),
        amount: entries.filter((e) => e.transfer_id === t.id && e.account_id === s.account_id).reduce((sum, e) => sum + e.amount, 0n),
      })),
    })
    return reply.code(200).header('content-type', 'application/pdf').header('content-disposition', `inline; filename="statement-${s.start_date}.pdf"`)
      .header('last-modified', new Date(isoString(s.created_at)).toUTCString()).send(pdf)
  })

  api.read('getStatementTransactions', async ({ workspace, params, query }) => {
    const s = await found(workspace.id, params.statement_id)
    const page = readPage(query)
    const rows = await periodTransfers(sql, workspace.id, s.account_id, s.period_start, s.period_end, page)
    const { items, next_page_token } = pageOf(rows, page.limit)
    return { transactions: await toStatementTransactions(sql, workspace.id, items), ...(next_page_token ? { next_page_token } : {}) }
  })
}
