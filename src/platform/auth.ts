import type { FastifyInstance, FastifyRequest, onRequestHookHandler } from 'fastify'
import type { Sql } from './db.js'
import { ApiError } from './errors.js'
import { overloaded, tooManyRequests, type Limits } from './limits.js'
import { cachedWorkspaceForKey, isKnownUnknownKey, workspaceForKeyCached, type Workspace } from './workspaces.js'

/**
 * Routes served without an API key, by the pattern they were registered with. Everything else
 * needs a key: a route added later is private unless it is named here. Two families check their
 * callers by other means: the built-in Plaid sandbox (`/plaid/…`, Plaid's client id and secret)
 * and the card widget's pages (`/widgets/cards/…`, a single-use widget token).
 */
export function isPublicRoute(pattern: string): boolean {
  return pattern === '/v0/openapi.json' || pattern === '/metrics' || pattern.startsWith('/health/') || pattern === '/docs' || pattern.startsWith('/docs/') ||
    pattern === '/plaid' || pattern.startsWith('/plaid/') || pattern.startsWith('/widgets/cards/')
}

/** Health probes and metrics scrapes are never shed nor rate limited: an overloaded process must still say so. */
const isProbe = (pattern: string | undefined) => pattern !== undefined && (pattern.startsWith('/health/') || pattern === '/metrics')

/**
 * Admission, before anything costs more than a counter: past `requestsInFlightMax` requests held
 * at once a new one is answered 503 (load shedding), and each source address is rate limited.
 */
export function admit(limits: Limits): onRequestHookHandler {
  return (req, reply, done) => {
    if (isProbe(req.routeOptions.url)) return done()
    if (limits.inFlight >= limits.settings.requestsInFlightMax) return done(overloaded())
    limits.inFlight++
    reply.raw.once('close', () => { limits.inFlight-- })
    const wait = limits.sources.take(req.ip)
    if (wait > 0) return done(tooManyRequests(`too many requests from ${req.ip}`, wait))
    done()
  }
}

/**
 * The API key check, on the route the router matched, never on the raw URL: the router decodes
 * percent-encoding (`/%760/persons` matches `/v0/persons`), so a test of the raw text would let an
 * encoded path through unauthenticated. A request no route matched goes on to the 404 handler.
 * Then the key's rate limit. Unknown keys are remembered (no query the next time), and a source
 * presenting too many of them is throttled before its guesses reach the database.
 */
export function authenticate(sql: Sql, limits: Limits): onRequestHookHandler {
  return (req, _reply, done) => {
    const pattern = req.routeOptions.url
    if (pattern === undefined || isPublicRoute(pattern)) return done()
    const key = bearerKey(req)
    if (key === undefined) return done(new ApiError('UNAUTHENTICATED', 'send an API key as "Authorization: Bearer <key>"'))
    const authenticated = (workspace: Workspace | undefined) => {
      if (!workspace) {
        limits.unknownKeys.take(req.ip)
        return done(new ApiError('UNAUTHENTICATED', 'the API key is unknown or revoked'))
      }
      const wait = limits.keys.take(key)
      if (wait > 0) return done(tooManyRequests('too many requests with this API key', wait))
      req.workspace = workspace
      done()
    }
    const cached = cachedWorkspaceForKey(key)
    if (cached) return authenticated(cached)
    if (isKnownUnknownKey(key)) return done(new ApiError('UNAUTHENTICATED', 'the API key is unknown or revoked'))
    const wait = limits.unknownKeys.waitFor(req.ip)
    if (wait > 0) return done(tooManyRequests(`too many unknown API keys from ${req.ip}`, wait))
    workspaceForKeyCached(sql, key).then(authenticated, done)
  }
}

/** The key of an `Authorization: Bearer <key>` header, if the request sent one. */
export function bearerKey(req: FastifyRequest): string | undefined {
  const header = req.headers.authorization
  const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null
  return match ? match[1] : undefined
}

/** Every route the app registers, as method and pattern, for tests that must cover them all. */
const routesByApp = new WeakMap<FastifyInstance, { method: string; url: string }[]>()

export function recordRoutes(app: FastifyInstance): void {
  const routes: { method: string; url: string }[] = []
  routesByApp.set(app, routes)
  app.addHook('onRoute', (r) => {
    for (const method of [r.method].flat()) routes.push({ method, url: r.url })
  })
}

export function registeredRoutes(app: FastifyInstance): readonly { method: string; url: string }[] {
  return routesByApp.get(app) ?? []
}
