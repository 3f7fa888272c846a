import type { FastifyInstance, FastifyRequest, onRequestHookHandler } from 'fastify'
import type { Sql } from './db.js'
import { ApiError } from './errors.js'
import { cachedWorkspaceForKey, workspaceForKeyCached, type Workspace } from './workspaces.js'

/**
 * Routes served without an API key, by the pattern they were registered with. Everything else
 * needs a key: a route added later is private unless it is named here.
 */
export function isPublicRoute(pattern: string): boolean {
  return pattern === '/v0/openapi.json' || pattern === '/metrics' || pattern.startsWith('/health/') || pattern === '/docs' || pattern.startsWith('/docs/')
}

/**
 * The API key check, on the route the router matched, never on the raw URL: the router decodes
 * percent-encoding (`/%760/persons` matches `/v0/persons`), so a test of the raw text would let an
 * encoded path through unauthenticated. A request no route matched goes on to the 404 handler.
 */
export function authenticate(sql: Sql): onRequestHookHandler {
  return (req, _reply, done) => {
    const pattern = req.routeOptions.url
    if (pattern === undefined || isPublicRoute(pattern)) return done()
    const key = bearerKey(req)
    if (key === undefined) return done(new ApiError('UNAUTHENTICATED', 'send an API key as "Authorization: Bearer <key>"'))
    const authenticated = (workspace: Workspace | undefined) => {
      if (!workspace) return done(new ApiError('UNAUTHENTICATED', 'the API key is unknown or revoked'))
      req.workspace = workspace
      done()
    }
    const cached = cachedWorkspaceForKey(key)
    if (cached) return authenticated(cached)
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
