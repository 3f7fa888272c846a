import dns, { type LookupAddress, type LookupAllOptions, type LookupOneOptions } from 'node:dns'
import http from 'node:http'
import https from 'node:https'
import net, { BlockList, type Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import type { Config } from './config.js'
import { badBody } from './errors.js'

// The one guard every outbound call Keel makes goes through (webhook delivery today; the ACH and
// card gateways and the Plaid SDK the same way), so no tenant can make Keel reach inside its
// network: cloud metadata, the database, a private service.
//
// A URL check alone is not enough: a name can resolve to a public address when a webhook is
// saved and to 10.0.0.5 when it is called (DNS rebinding), and a URL spells one address many ways
// (`2130706433`, `0x7f.1`, `[::ffff:127.0.0.1]`). So the guard sits at connect time: the agents
// below resolve the name with a lookup that refuses a forbidden address before any connection is
// made, and check the address the socket actually connected to before a byte is written.

/** What no call may reach unless the operator allows its network: the IANA special-purpose ranges. */
const specialNetworks: ReadonlyArray<[string, number, 'ipv4' | 'ipv6', string]> = [
  ['0.0.0.0', 8, 'ipv4', 'unspecified'],
  ['10.0.0.0', 8, 'ipv4', 'private'],
  ['100.64.0.0', 10, 'ipv4', 'shared (carrier-grade NAT)'],
  ['127.0.0.0', 8, 'ipv4', 'loopback'],
  ['169.254.0.0', 16, 'ipv4', 'link-local (cloud metadata)'],
  ['172.16.0.0', 12, 'ipv4', 'private'],
  ['192.0.0.0', 24, 'ipv4', 'reserved'],
  ['192.0.2.0', 24, 'ipv4', 'documentation'],
  ['192.88.99.0', 24, 'ipv4', 'reserved'],
  ['192.168.0.0', 16, 'ipv4', 'private'],
  ['198.18.0.0', 15, 'ipv4', 'reserved'],
  ['198.51.100.0', 24, 'ipv4', 'documentation'],
  ['203.0.113.0', 24, 'ipv4', 'documentation'],
  ['224.0.0.0', 4, 'ipv4', 'multicast'],
  ['240.0.0.0', 4, 'ipv4', 'reserved'],
  ['::', 128, 'ipv6', 'unspecified'],
  ['::1', 128, 'ipv6', 'loopback'],
  ['::', 96, 'ipv6', 'reserved'],
  ['64:ff9b::', 96, 'ipv6', 'reserved (NAT64)'],
  ['64:ff9b:1::', 48, 'ipv6', 'reserved (NAT64)'],
  ['100::', 64, 'ipv6', 'reserved'],
  ['2001::', 23, 'ipv6', 'reserved'],
  ['2001:db8::', 32, 'ipv6', 'documentation'],
  ['2002::', 16, 'ipv6', 'reserved (6to4)'],
  ['fc00::', 7, 'ipv6', 'private'],
  ['fe80::', 10, 'ipv6', 'link-local'],
  ['fec0::', 10, 'ipv6', 'reserved'],
  ['ff00::', 8, 'ipv6', 'multicast'],
]

/** Allowed by default while Keel listens on loopback only: a single-user sandbox calling a receiver on localhost. */
export const loopbackNetworks = ['127.0.0.0/8', '::1/128'] as const

export interface OutboundOptions {
  /**
   * Networks (CIDR) the operator allows although they are special-purpose (private, loopback…),
   * from KEEL_OUTBOUND_ALLOWED_NETWORKS. When unset: loopback if `listenHost` is loopback, else none.
   */
  allowedNetworks?: readonly string[]
  /** The address Keel's HTTP server listens on. */
  listenHost: string
  /** Host and port pairs never reached even in an allowed network: Keel's own database. */
  deniedEndpoints?: ReadonlyArray<{ host: string; port: number }>
}

/** A refused connection: the message names the address and why, for the delivery's history. */
export class OutboundRefused extends Error {
  readonly code = 'KEEL_OUTBOUND_REFUSED'
}

export interface Outbound {
  /** Why a connection to this address (and port) is refused, or undefined when it is allowed. */
  refusal(address: string, port?: number): string | undefined
  /** A dns.lookup that answers only allowed addresses: for any client that takes a lookup function. */
  lookup: typeof dns.lookup
  /** Guarded agents, for node's http/https and for axios (`httpAgent`, `httpsAgent`) and the Plaid SDK (`baseOptions`). */
  httpAgent(options?: http.AgentOptions): http.Agent
  httpsAgent(options?: https.AgentOptions): https.Agent
  /** The networks allowed despite being special-purpose, as configured or defaulted. */
  readonly allowedNetworks: readonly string[]
}

/**
 * How long a keep-alive agent keeps an idle pooled connection, unless told otherwise; a server that
 * announces its own keep-alive time-out (`Keep-Alive: timeout=5`) has its connections dropped a
 * second before that instead. Node's agent reads the announcement only when it has a time-out of
 * its own, and without one it reuses a connection the server may be closing at that moment: the
 * call fails with ECONNRESET (a webhook delivery, a gateway's decision, a Plaid call lost).
 */
export const keepAliveIdleMsDefault = 15_000

/** Agent options with the idle limit for keep-alive agents. (A socket time-out only emits an event on a request in flight: each caller keeps its own time limit.) */
function withIdleLimit<T extends http.AgentOptions>(options: T): T {
  return options.keepAlive && options.timeout === undefined ? { ...options, timeout: keepAliveIdleMsDefault } : options
}

export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase()
  if (h === 'localhost') return true
  if (net.isIPv4(h)) return h.startsWith('127.')
  return h === '::1'
}

function parseNetwork(cidr: string): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } {
  const [address, prefixText] = cidr.trim().split('/')
  const version = net.isIP(address)
  if (version === 0) throw new Error(`not a network: ${cidr} (write it as CIDR, e.g. 10.0.0.0/8)`)
  const bits = version === 4 ? 32 : 128
  const prefix = prefixText === undefined ? bits : Number(prefixText)
  if (!/^\d+$/.test(prefixText ?? String(bits)) || prefix > bits) throw new Error(`not a network: ${cidr} (prefix must be 0-${bits})`)
  return { address, prefix, family: version === 4 ? 'ipv4' : 'ipv6' }
}

const familyOf = (address: string): 'ipv4' | 'ipv6' | undefined => (net.isIPv4(address) ? 'ipv4' : net.isIPv6(address) ? 'ipv6' : undefined)

/** The guard for a process of this configuration: the operator's allowed networks, never Keel's own database. */
export function outboundFor(config: Config, databaseUrl: string): Outbound {
  const db = new URL(databaseUrl)
  return createOutbound({
    allowedNetworks: config.outboundAllowedNetworks,
    listenHost: config.host,
    deniedEndpoints: [{ host: db.hostname, port: Number(db.port || 5432) }],
  })
}

export function createOutbound(options: OutboundOptions): Outbound {
  const allowedNetworks = options.allowedNetworks ?? (isLoopbackHost(options.listenHost) ? [...loopbackNetworks] : [])
  const allowed = new BlockList()
  for (const n of allowedNetworks) {
    const { address, prefix, family } = parseNetwork(n)
    allowed.addSubnet(address, prefix, family)
  }
  const special = specialNetworks.map(([address, prefix, family, why]) => {
    const list = new BlockList()
    list.addSubnet(address, prefix, family)
    return { list, why, family }
  })
  const denied = (options.deniedEndpoints ?? []).flatMap(({ host, port }) =>
    (host === 'localhost' ? ['127.0.0.1', '::1'] : [host.replace(/^\[|\]$/g, '')]).filter((a) => net.isIP(a) !== 0).map((address) => ({ address, port })))

  function refusal(address: string, port?: number): string | undefined {
    const bare = address.replace(/^\[|\]$/g, '')
    const family = familyOf(bare)
    if (!family) return `${address} is not an IP address`
    if (port !== undefined && denied.some((d) => d.port === port && sameAddress(d.address, bare))) return `${bare}:${port} is Keel's own database`
    if (allowed.check(bare, family)) return undefined
    for (const s of special) if (s.list.check(bare, family)) return `${bare} is in a ${s.why} network, which the outbound policy does not allow`
    return undefined
  }

  const lookup = ((hostname: string, opts: unknown, callback?: unknown) => {
    const cb = (typeof opts === 'function' ? opts : callback) as (err: Error | null, address?: string | LookupAddress[], family?: number) => void
    const given = (typeof opts === 'function' ? {} : typeof opts === 'number' ? { family: opts } : (opts ?? {})) as LookupOneOptions | LookupAllOptions
    dns.lookup(hostname, { ...given, all: true }, (err, addresses) => {
      if (err) return cb(err)
      // Every address the name has must be allowed: a client may fall back to any of them.
      for (const a of addresses) {
        const why = refusal(a.address)
        if (why) return cb(new OutboundRefused(`${hostname} resolves to ${why}`))
      }
      if (given.all) return cb(null, addresses)
      cb(null, addresses[0].address, addresses[0].family)
    })
  }) as typeof dns.lookup

  /** Connects through the guarded lookup, refuses an address literal at once, and checks the peer. */
  function guard(socket: Socket | Duplex, host: string | undefined, port: number | undefined): void {
    const literal = host?.replace(/^\[|\]$/g, '')
    const early = literal && net.isIP(literal) ? refusal(literal, port) : undefined
    const check = () => {
      const remote = (socket as Socket).remoteAddress
      const why = early ?? (remote ? refusal(remote, (socket as Socket).remotePort) : 'the connected address is unknown')
      if (why) socket.destroy(new OutboundRefused(why))
    }
    // Listeners registered here run before any write the client queued while connecting.
    if (early) process.nextTick(check)
    else socket.once('connect', check)
  }

  class GuardedHttpAgent extends http.Agent {
    createConnection(opts: net.NetConnectOpts & { host?: string; port?: number }, cb?: (err: Error | null, socket: Duplex) => void): Duplex {
      const socket = super.createConnection({ ...opts, lookup } as never, cb as never) as Duplex
      guard(socket, opts.host, opts.port)
      return socket
    }
  }
  class GuardedHttpsAgent extends https.Agent {
    createConnection(opts: net.NetConnectOpts & { host?: string; port?: number }, cb?: (err: Error | null, socket: Duplex) => void): Duplex {
      const socket = super.createConnection({ ...opts, lookup } as never, cb as never) as Duplex
      guard(socket, opts.host, opts.port)
      return socket
    }
  }

  return {
    refusal,
    lookup,
    allowedNetworks,
    httpAgent: (agentOptions = {}) => new GuardedHttpAgent(withIdleLimit(agentOptions)),
    httpsAgent: (agentOptions = {}) => new GuardedHttpsAgent(withIdleLimit(agentOptions)),
  }
}

function sameAddress(a: string, b: string): boolean {
  if (a === b) return true
  const list = new BlockList()
  const family = familyOf(a)
  if (!family) return false
  list.addAddress(a, family)
  const other = familyOf(b)
  return other !== undefined && list.check(b, other)
}

/** A connection refused by the policy, whatever layer reported it. */
export function isOutboundRefused(err: unknown): err is OutboundRefused {
  return err instanceof OutboundRefused
}

/**
 * The headers a fintech gives Keel to send (a gateway's `custom_headers`), refused before they are
 * stored unless each name is a token and each value holds no CR, LF or other character HTTP forbids,
 * as Node checks them when it sends: 400 BAD_REQUEST_BODY naming each that would fail in
 * `invalid["custom_headers.NAME"]`. A value may be one string or a list (sent joined with ", ").
 */
export function refuseUnsendableHeaders(headers: Record<string, unknown> | null | undefined): void {
  const unsendable = Object.entries(headers ?? {}).filter(([name, value]) => {
    try {
      http.validateHeaderName(name)
      for (const v of Array.isArray(value) ? value : [value]) http.validateHeaderValue(name, String(v))
      return false
    } catch {
      return true
    }
  }).map(([name]) => name)
  if (unsendable.length === 0) return
  const why = 'not a valid HTTP header (a token for a name; no CR, LF or control character in a value)'
  throw badBody(`custom_headers: ${unsendable.join(', ')} cannot be sent as HTTP headers`, { invalid: Object.fromEntries(unsendable.map((name) => [`custom_headers.${name}`, why])) })
}
