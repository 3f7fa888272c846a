// Serves the built-in Plaid sandbox under /plaid on Keel's own port: Plaid's paths (so the SDK's
// base path is http://HOST:PORT/plaid), Plaid's error shape, and the Link stand-in page.
import { randomBytes } from 'node:crypto'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Services } from '../../platform/http.js'
import { linkPageHtml } from './link-page.js'
import { newRequestId, PlaidSandbox, PlaidSandboxError } from './service.js'

export const plaidSandboxPrefix = '/plaid'

type Body = Record<string, unknown>

/** Plaid takes its keys as PLAID-CLIENT-ID / PLAID-SECRET headers (what the SDK sends) or in the body. Any non-empty pair is accepted. */
function clientIdOf(req: FastifyRequest, body: Body): string {
  const header = (name: string) => (typeof req.headers[name] === 'string' ? (req.headers[name] as string) : undefined)
  const clientId = header('plaid-client-id') ?? body.client_id
  const secret = header('plaid-secret') ?? body.secret
  if (typeof clientId !== 'string' || clientId === '' || typeof secret !== 'string' || secret === '') {
    throw new PlaidSandboxError('INVALID_REQUEST', 'MISSING_FIELDS', 'the following required fields are missing: client_id, secret')
  }
  return clientId
}

const bodyOf = (req: FastifyRequest): Body => {
  const b = req.body
  if (b === undefined || b === null) return {}
  if (typeof b !== 'object' || Array.isArray(b)) throw new PlaidSandboxError('INVALID_REQUEST', 'INVALID_BODY', 'body could not be parsed as JSON')
  return b as Body
}

export function registerPlaidSandbox(app: FastifyInstance, services: Services): void {
  const sandbox = new PlaidSandbox(services.sql, services.clock)

  void app.register(async (scope) => {
    scope.setErrorHandler((err: FastifyError | PlaidSandboxError, _req, reply) => {
      const requestId = newRequestId()
      if (err instanceof PlaidSandboxError) return reply.code(err.status).send(err.body(requestId))
      if ((err as FastifyError).statusCode && (err as FastifyError).statusCode! < 500) {
        return reply.code(400).send(new PlaidSandboxError('INVALID_REQUEST', 'INVALID_BODY', 'body could not be parsed as JSON').body(requestId))
      }
      scope.log.error({ err }, 'plaid sandbox request failed')
      return reply.code(500).send(new PlaidSandboxError('API_ERROR', 'INTERNAL_SERVER_ERROR', 'an unexpected error occurred', null, 500).body(requestId))
    })

    // The Plaid API: POST, JSON in and out, keys on every call, a request_id on every answer.
    const api = (path: string, handle: (clientId: string, body: Body) => Promise<Body> | Body) => {
      scope.post(path, async (req: FastifyRequest, reply: FastifyReply) => {
        const body = bodyOf(req)
        const clientId = clientIdOf(req, body)
        const answer = await handle(clientId, body)
        return reply.code(200).send({ ...answer, request_id: newRequestId() })
      })
    }
    api('/link/token/create', (clientId, b) => sandbox.linkTokenCreate(clientId, b))
    api('/item/public_token/exchange', (clientId, b) => sandbox.publicTokenExchange(clientId, b))
    api('/sandbox/public_token/create', (clientId, b) => sandbox.sandboxPublicTokenCreate(clientId, b))
    api('/sandbox/item/reset_login', (_c, b) => sandbox.resetLogin(b))
    api('/accounts/get', (_c, b) => sandbox.accountsGet(b))
    api('/accounts/balance/get', (_c, b) => sandbox.balanceGet(b))
    api('/auth/get', (_c, b) => sandbox.authGet(b))
    api('/identity/get', (_c, b) => sandbox.identityGet(b))
    api('/transactions/get', (_c, b) => sandbox.transactionsGet(b))
    api('/transactions/refresh', (_c, b) => sandbox.transactionsRefresh(b))
    api('/item/get', (_c, b) => sandbox.itemGet(b))
    api('/item/remove', (_c, b) => sandbox.itemRemove(b))
    api('/institutions/get_by_id', (_c, b) => sandbox.institutionsGetById(b))

    // The Link stand-in page and the three calls its script makes (no Plaid keys: a person's browser).
    scope.get('/link', async (_req, reply) => {
      const nonce = randomBytes(16).toString('base64')
      return reply
        .header('content-security-policy', `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}' 'unsafe-inline'; connect-src 'self'; form-action 'none'; frame-ancestors *; base-uri 'none'`)
        .header('cache-control', 'no-store')
        .type('text/html; charset=utf-8')
        .send(linkPageHtml(nonce))
    })
    const linkToken = (b: Body): string => {
      if (typeof b.link_token !== 'string' || b.link_token === '') throw new PlaidSandboxError('INVALID_INPUT', 'INVALID_LINK_TOKEN', 'no link token: open this page as /plaid/link?token=<link_token>', 'This link is not valid. Please go back to the app and try again.')
      return b.link_token
    }
    const text = (b: Body, field: string): string => (typeof b[field] === 'string' ? (b[field] as string) : '')
    scope.post('/link/session', async (req) => {
      const { row, institutions } = await sandbox.linkSession(linkToken(bodyOf(req)))
      return {
        client_name: row.client_name, update_mode: row.item_id !== null,
        institutions: institutions.map((i) => ({ institution_id: i.institution_id, name: i.name, primary_color: i.primary_color })),
      }
    })
    scope.post('/link/credentials', async (req) => {
      const b = bodyOf(req)
      await sandbox.linkSession(linkToken(b))
      const accounts = sandbox.signIn(text(b, 'institution_id'), text(b, 'username'), text(b, 'password'))
      return { accounts: accounts.map((a) => ({ mask: a.mask, name: a.name, type: a.type, subtype: a.subtype, balance: a.balances.current })) }
    })
    scope.post('/link/complete', async (req) => {
      const b = bodyOf(req)
      const masks = Array.isArray(b.account_masks) ? b.account_masks.filter((m): m is string => typeof m === 'string') : []
      return sandbox.linkComplete(linkToken(b), text(b, 'institution_id'), text(b, 'username'), text(b, 'password'), masks)
    })
  }, { prefix: plaidSandboxPrefix })
}
