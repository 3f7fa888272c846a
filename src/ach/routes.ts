// The ACH endpoints: outgoing entries (POST/GET/PATCH /v0/ach), incoming entries, gateways, the
// sandbox simulations, and Keel's own file endpoints (openapi.ts).

import type { FastifyReply, FastifyRequest } from 'fastify'
import { ApiError, badBody } from '../platform/errors.js'
import type { Tx } from '../platform/db.js'
import { sendOutcome, type Api } from '../platform/http.js'
import { identityOf, keyFromHeader, runMutation } from '../platform/idempotency.js'
import { pageOf, readPage } from '../platform/pagination.js'
import { requireSandbox } from '../platform/workspaces.js'
import { addDays } from './calendar/fed-calendar.js'
import { ingestNacha } from './files/incoming.js'
import { readResolution, resolveSuspense } from './files/resolve.js'
import { namedFieldErrors } from './files/return-rules.js'
import { registerAchGatewayRoutes } from './gateways/routes.js'
import { returnCodes, validateNacha } from './nacha/index.js'
import { originate, patchOutgoing } from './service.js'
import { achSettings, changeAchSettings, toAchSettingsView } from './settings.js'
import { dishonoredReturnFile, incomingEntryFile, returnFile } from './simulations/build.js'
import {
  getFile, getIncoming, getOutgoing, incomingOfFile, listFiles, listIncoming, listOutgoing, nextTraceSequence, outgoingOfFile, type FileRow,
} from './store.js'
import { toIncomingAch, toOutgoingAch } from './views.js'
import { easternOf } from './windows/windows.js'

type Json = Record<string, unknown>

/** The largest NACHA file accepted over HTTP: 64 MiB, about 700,000 records. */
export const achFileBodyBytesMax = 64 * 1024 * 1024
/** The return code a simulated return carries when the request names none. */
export const simulatedReturnCodeDefault = 'R01'
/** The fields a simulated R69 dishonored return says are wrong when the request names none: 03, the amount (NACHA's codes: 01 account number, 02 trace, 03 amount, 04 identification number, 05 transaction code, 06 company identification). */
export const simulatedFieldErrorsDefault = '03'
/** How far ahead a simulated incoming entry may be dated. */
const simulationAheadDaysMax = 365

export function toAchFile(f: Omit<FileRow, 'content'>): Json {
  return {
    id: f.id, direction: f.direction, status: f.status, ...(f.window_name ? { window: f.window_name } : {}), sha256: f.sha256,
    entry_count: f.entry_count, debit_total: Number(f.debit_total), credit_total: Number(f.credit_total), created: f.created_at.toISOString(),
  }
}

/**
 * A NACHA body: text/plain (any other media type is 415, JSON included: a JSON string is not a
 * file), not empty (400).
 */
function nachaText(req: FastifyRequest): string {
  if (!/^text\/plain\s*(;|$)/i.test(req.headers['content-type'] ?? '')) throw new ApiError('UNSUPPORTED_MEDIA_TYPE', 'send the NACHA file as a text/plain body')
  if (typeof req.body !== 'string' || req.body.length === 0) throw badBody('send the NACHA file as a text/plain body; this one is empty')
  return req.body
}

export function registerAchRoutes(api: Api): void {
  const { sql, clock, vault } = api.services
  const services = api.services

  api.write('addTransactionOut', async ({ tx, workspace, body }) => originate(tx, { clock, vault }, workspace, body, null))

  api.read('listTransactionsOut', async ({ workspace, query }) => {
    const page = readPage(query)
    const rows = await listOutgoing(sql, workspace.id, query, page)
    const { items, next_page_token } = pageOf(rows, page.limit)
    return { transactions: items.map(toOutgoingAch), ...(next_page_token ? { next_page_token } : {}) }
  })

  api.read('getTransactionOut', async ({ workspace, params }) => {
    const row = await getOutgoing(sql, workspace.id, params.transaction_id)
    if (!row) throw new ApiError('RESOURCE_NOT_FOUND', `ACH transaction ${params.transaction_id} not found`)
    return toOutgoingAch(row)
  })

  api.write('patchTransactionOut', async ({ tx, workspace, params, body }) => patchOutgoing(tx, clock, workspace, params.transaction_id, body))

  api.read('getIncomingACHList', async ({ workspace, query }) => {
    const page = readPage(query)
    const rows = await listIncoming(sql, workspace.id, query, page)
    const { items, next_page_token } = pageOf(rows, page.limit)
    return { transactions: items.map(toIncomingAch), ...(next_page_token ? { next_page_token } : {}) }
  })

  api.read('getIncomingACHByID', async ({ workspace, params }) => {
    const row = await getIncoming(sql, workspace.id, params.id)
    if (!row) throw new ApiError('RESOURCE_NOT_FOUND', `incoming ACH ${params.id} not found`)
    return toIncomingAch(row)
  })

  registerAchGatewayRoutes(api)

  /** A POST whose change runs its own transactions (a file applied): the Idempotency-Key record is kept as for any write. */
  const keyed = async (req: FastifyRequest, reply: FastifyReply, change: (tx: Tx) => Promise<{ status: number; body: unknown }>) => {
    const key = keyFromHeader(req.headers['idempotency-key'])
    const workspace = req.workspace
    const outcome = await runMutation(sql, workspace.id, key, identityOf(req), clock.now(workspace.id), change)
    return sendOutcome(reply, outcome)
  }

  api.route('achTransactionSimulation', async (req, reply) => {
    const workspace = req.workspace
    const body = req.body as { account_number: string; amount: number; dc_sign: 'credit' | 'debit'; effective_date: string }
    const today = easternOf(clock.now(workspace.id)).date
    if (body.effective_date > addDays(today, simulationAheadDaysMax)) throw badBody(`effective_date is more than ${simulationAheadDaysMax} days ahead`, { invalid: { effective_date: 'too far ahead' } })
    if (!/^\d{1,17}$/.test(body.account_number)) throw badBody('account_number is 1 to 17 digits', { invalid: { account_number: '1 to 17 digits' } })
    return keyed(req, reply, async () => {
      const content = incomingEntryFile({ accountNumber: body.account_number, amount: body.amount, dcSign: body.dc_sign, effectiveDate: body.effective_date, sequence: await nextTraceSequence(sql), now: clock.now(workspace.id) })
      await ingestNacha(services, workspace.id, content)
      return { status: 201, body: {} }
    })
  }, { sandboxOnly: 'ACH receiving transaction simulations' })

  api.route('achReturnSimulation', async (req, reply) => {
    const workspace = req.workspace
    const body = req.body as { ach_id: string; return_code?: unknown; field_errors?: unknown }
    const code = body.return_code ?? simulatedReturnCodeDefault
    const kind = typeof code === 'string' ? returnCodes.get(code)?.kind : undefined
    if (typeof code !== 'string' || (kind !== 'return' && kind !== 'dishonored')) {
      throw badBody('return_code is a NACHA return reason code (R01-R85) or, for a return Keel sent, a dishonored one (R61, R62, R67-R70)', { invalid: { return_code: 'a return reason code such as R01, or R61, R62, R67-R70' } })
    }
    const fieldErrors = body.field_errors ?? simulatedFieldErrorsDefault
    if (typeof fieldErrors !== 'string' || !/^\d\d(\*?\d\d){0,5}$/.test(fieldErrors) || namedFieldErrors(fieldErrors).length !== fieldErrors.replace(/\*/g, '').length / 2) {
      throw badBody('field_errors is one to six of NACHA\'s field error codes 01-06, asterisk-separated, e.g. "03" or "01*04"', { invalid: { field_errors: 'e.g. 01, 03, 01*04' } })
    }
    const target = await getOutgoing(sql, workspace.id, body.ach_id)
    if (!target) throw badBody(`ach_id ${body.ach_id} names no outgoing ACH of this workspace`, { invalid: { ach_id: 'unknown outgoing ACH' } })
    // A dishonored return answers a return Keel sent; a return answers an entry Keel originated.
    const wanted = kind === 'dishonored' ? 'RETURN' : 'ORIGINATION'
    if (target.kind !== wanted) throw badBody(`${code} answers ${wanted === 'RETURN' ? 'a return Keel sent (an outgoing ACH with incoming_ach_id)' : 'an entry Keel originated'}; ${target.id} is not one`, { invalid: { ach_id: `an outgoing ACH of kind ${wanted.toLowerCase()}` } })
    const sent = target.status === 'PENDING' || target.status === 'COMPLETE' || (kind === 'return' && target.status === 'DECLINED')
    if (!sent) throw new ApiError('INVALID_STATUS', `ACH transaction ${target.id} is ${target.status}: only an entry sent in a file can be returned`)
    // Late, duplicate or unrequested returns are sent as asked: Keel, as ODFI, dishonors them (R68, R67, R70).
    return keyed(req, reply, async () => {
      const o = { sequence: await nextTraceSequence(sql), now: clock.now(workspace.id) }
      await ingestNacha(services, workspace.id, kind === 'dishonored' ? dishonoredReturnFile(target, code, fieldErrors, o) : returnFile(target, code, o))
      return { status: 201, body: {} }
    })
  }, { sandboxOnly: 'ACH return simulations' })

  // ---- Keel's resolution of an incoming entry IN_SUSPENSE

  // The bank's own work: through the API in a sandbox only (in live, `keel ach resolve`, the operator's).
  api.app.post('/v0/ach/incoming/:id/resolve', async (req, reply) => {
    requireSandbox(req.workspace, 'resolutions of incoming ACH entries through the API')
    const { id } = req.params as { id: string }
    const resolution = readResolution(req.body)
    return keyed(req, reply, async (tx) => {
      const after = await resolveSuspense(tx, services, req.workspace.id, id, resolution)
      return { status: 200, body: toIncomingAch(after) }
    })
  })

  // ---- Keel's ACH settings

  api.app.get('/v0/ach/settings', async (req) => toAchSettingsView(await achSettings(sql, req.workspace.id, req.workspace.name)))

  api.app.put('/v0/ach/settings', async (req) => {
    const workspace = req.workspace
    return toAchSettingsView(await changeAchSettings(sql, workspace.id, workspace.name, req.body ?? {}, clock.now(workspace.id)))
  })

  // ---- Keel's file endpoints

  api.app.get('/v0/ach/files', async (req) => {
    const query = req.query as { direction?: string; limit?: string; page_token?: string }
    if (query.direction !== undefined && query.direction !== 'OUTGOING' && query.direction !== 'INCOMING') throw new ApiError('BAD_QUERY_PARAMETER', 'direction is OUTGOING or INCOMING')
    const limit = query.limit === undefined ? undefined : Number(query.limit)
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) throw new ApiError('BAD_QUERY_PARAMETER', 'limit is a positive integer')
    const page = readPage({ limit, page_token: query.page_token })
    const rows = await listFiles(sql, req.workspace.id, query.direction, page)
    const { items, next_page_token } = pageOf(rows, page.limit)
    return { files: items.map(toAchFile), ...(next_page_token ? { next_page_token } : {}) }
  })

  api.app.get('/v0/ach/files/:file_id', async (req, reply) => {
    const { file_id } = req.params as { file_id: string }
    const file = /^[0-9a-f-]{36}$/i.test(file_id) ? await getFile(sql, req.workspace.id, file_id) : undefined
    if (!file) throw new ApiError('RESOURCE_NOT_FOUND', `ACH file ${file_id} not found`)
    const accept = req.headers.accept ?? ''
    if (accept.includes('text/plain') && !accept.includes('application/json')) return reply.type('text/plain; charset=utf-8').send(file.content)
    const ids = file.direction === 'OUTGOING'
      ? { outgoing_ach_ids: (await outgoingOfFile(sql, req.workspace.id, file.id)).map((r) => r.id) }
      : { incoming_ach_ids: (await incomingOfFile(sql, req.workspace.id, file.id)).map((r) => r.id) }
    return { ...toAchFile(file), content: file.content, ...ids }
  })

  // A file from the bank's ACH operator moves money into accounts: through the API in a sandbox
  // only, where it stands in for the operator (in live, `keel ach ingest`, the operator's).
  api.app.post('/v0/ach/files', { bodyLimit: achFileBodyBytesMax }, async (req, reply) => {
    requireSandbox(req.workspace, 'incoming NACHA files sent through the API')
    const content = nachaText(req)
    return keyed(req, reply, async () => {
      const outcome = await ingestNacha(services, req.workspace.id, content)
      return { status: outcome.alreadyApplied ? 200 : 201, body: { file: toAchFile(outcome.file), already_applied: outcome.alreadyApplied, entries: outcome.entries.map(toIncomingAch) } }
    })
  })

  api.app.post('/v0/ach/files/validate', { bodyLimit: achFileBodyBytesMax }, async (req) => {
    const content = nachaText(req)
    const verdict = validateNacha(content)
    const body = { valid: verdict.ok, summary: verdict.summary, errors: verdict.errors, warnings: verdict.warnings }
    if (!verdict.ok) throw new ApiError('NACHA_FILE_INVALID', `the NACHA file has ${verdict.errors.length} error(s)`, { errors: verdict.errors, warnings: verdict.warnings, summary: verdict.summary })
    return body
  })
}

