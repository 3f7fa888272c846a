import assert from 'node:assert/strict'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, it } from 'node:test'
import { createOutbound, isOutboundRefused, keepAliveIdleMsDefault, type Outbound } from './outbound.js'

const shared = createOutbound({ listenHost: '0.0.0.0' })
const sandbox = createOutbound({ listenHost: '127.0.0.1' })

describe('the outbound policy', () => {
  const internal = [
    '169.254.169.254', '10.0.0.1', '10.255.255.255', '172.16.0.1', '172.31.255.254', '192.168.0.1', '127.0.0.1', '127.1.2.3',
    '0.0.0.0', '100.64.0.1', '224.0.0.1', '255.255.255.255', '::1', '::', 'fe80::1', 'fd00:ec2::254', 'fc00::1', 'ff02::1',
    '::ffff:127.0.0.1', '::ffff:169.254.169.254', '::ffff:10.0.0.1', '64:ff9b::a9fe:a9fe', '2002:a9fe:a9fe::1',
  ]
  for (const address of internal) {
    it(`refuses ${address} on a shared deployment`, () => assert.ok(shared.refusal(address)))
  }
  for (const address of ['93.184.216.34', '8.8.8.8', '2606:4700::1111', '172.32.0.1', '192.169.0.1', '11.0.0.1']) {
    it(`allows the public address ${address}`, () => assert.equal(shared.refusal(address), undefined))
  }
  it('allows loopback by default only while Keel listens on loopback only', () => {
    for (const address of ['127.0.0.1', '::1', '::ffff:127.0.0.1']) {
      assert.equal(sandbox.refusal(address), undefined, address)
      assert.ok(shared.refusal(address), address)
    }
    for (const host of ['localhost', '::1', '[::1]', '127.0.0.2']) assert.deepEqual(createOutbound({ listenHost: host }).allowedNetworks, ['127.0.0.0/8', '::1/128'], host)
    for (const host of ['0.0.0.0', '::', '10.0.0.4', 'keel.internal']) assert.deepEqual(createOutbound({ listenHost: host }).allowedNetworks, [], host)
  })
  it('never allows private, link-local or metadata addresses by default, even on loopback', () => {
    for (const address of ['169.254.169.254', '10.0.0.1', '172.16.0.1', '192.168.1.1', 'fe80::1', 'fd00::1']) assert.ok(sandbox.refusal(address), address)
  })
  it('allows the networks the operator names, and only those', () => {
    const o = createOutbound({ listenHost: '0.0.0.0', allowedNetworks: ['10.20.0.0/16', 'fd12::/16'] })
    assert.equal(o.refusal('10.20.3.4'), undefined)
    assert.equal(o.refusal('fd12::5'), undefined)
    assert.ok(o.refusal('10.21.0.1'))
    assert.ok(o.refusal('127.0.0.1'), 'naming networks replaces the loopback default')
    assert.throws(() => createOutbound({ listenHost: '0.0.0.0', allowedNetworks: ['10.0.0.0/40'] }))
    assert.throws(() => createOutbound({ listenHost: '0.0.0.0', allowedNetworks: ['intranet'] }))
  })
  it("refuses Keel's own database even where loopback is allowed", () => {
    const o = createOutbound({ listenHost: '127.0.0.1', deniedEndpoints: [{ host: 'localhost', port: 5432 }] })
    assert.ok(o.refusal('127.0.0.1', 5432))
    assert.ok(o.refusal('::ffff:127.0.0.1', 5432))
    assert.equal(o.refusal('127.0.0.1', 3000), undefined)
  })
})

describe('the guarded agents', () => {
  let server: http.Server
  let port: number
  let hits = 0
  before(async () => {
    server = http.createServer((_req, res) => { hits++; res.end('inside') })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    port = (server.address() as AddressInfo).port
  })
  after(() => new Promise<void>((r) => server.close(() => r())))

  const get = (outbound: Outbound, url: string) => new Promise<{ status?: number; error?: Error }>((resolve) => {
    const req = http.get(url, { agent: outbound.httpAgent() }, (res) => { res.resume(); res.on('end', () => resolve({ status: res.statusCode })) })
    req.on('error', (error) => resolve({ error }))
  })

  it('refuses an internal address written in the URL, in any spelling, before a byte is sent', async () => {
    const before = hits
    for (const host of ['127.0.0.1', '2130706433', '0x7f.0.0.1', '[::ffff:127.0.0.1]']) {
      const { status, error } = await get(shared, `http://${host}:${port}/`)
      assert.equal(status, undefined, host)
      assert.ok(isOutboundRefused(error), `${host}: ${error}`)
    }
    assert.equal(hits, before)
  })

  it('refuses a name that resolves to an internal address, at connect time', async () => {
    const before = hits
    const { error } = await get(shared, `http://localhost:${port}/`)
    assert.ok(isOutboundRefused(error), String(error))
    assert.match(error!.message, /localhost resolves to/)
    assert.equal(hits, before)
  })

  it('connects where the policy allows', async () => {
    assert.equal((await get(sandbox, `http://127.0.0.1:${port}/`)).status, 200)
    assert.equal((await get(sandbox, `http://localhost:${port}/`)).status, 200)
  })

  it('offers a lookup function that refuses internal answers', async () => {
    const lookup = (host: string, all: boolean) => new Promise<unknown>((resolve) => shared.lookup(host, { all }, (err, address) => resolve(err ?? address)))
    assert.ok(isOutboundRefused(await lookup('localhost', false)))
    assert.ok(isOutboundRefused(await lookup('localhost', true)))
    assert.equal(await new Promise((resolve) => sandbox.lookup('127.0.0.1', (err, address) => resolve(err ?? address))), '127.0.0.1')
  })
})

describe('keep-alive agents', () => {
  /** The pooled socket's idle time-out once one call to a server with this keep-alive time-out is answered. */
  async function pooledTimeout(serverKeepAliveMs: number, agentOptions: http.AgentOptions): Promise<number | undefined> {
    const server = http.createServer((_req, res) => res.end('ok'))
    server.keepAliveTimeout = serverKeepAliveMs
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const agent = sandbox.httpAgent(agentOptions)
    try {
      const { port } = server.address() as AddressInfo
      await new Promise<void>((resolve, reject) => {
        http.get(`http://127.0.0.1:${port}/`, { agent }, (res) => { res.resume(); res.on('end', resolve) }).on('error', reject)
      })
      // The agent pools the socket on the turn after the answer ends.
      await new Promise((resolve) => setImmediate(resolve))
      const [socket] = Object.values(agent.freeSockets).flat()
      return socket?.timeout
    } finally {
      agent.destroy()
      await new Promise((resolve) => server.close(resolve))
    }
  }

  it('drop an idle connection a second before the server says it will', async () => {
    assert.equal(await pooledTimeout(5_000, { keepAlive: true }), 4_000)
  })

  it('keep one for keepAliveIdleMsDefault when the server says nothing shorter, or as told', async () => {
    assert.equal(await pooledTimeout(60_000, { keepAlive: true }), keepAliveIdleMsDefault)
    assert.equal(await pooledTimeout(60_000, { keepAlive: true, timeout: 2_500 }), 2_500)
  })
})
