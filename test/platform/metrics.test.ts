// Prometheus metrics at /metrics: served without a key only when the setting is on; requests by
// route pattern and status, latency histograms, group-commit batch sizes, webhook backlog and lag,
// database connections.
import assert from 'node:assert/strict'
import { after, before, it } from 'node:test'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../src/platform/app.js'
import { createLogger } from '../../src/platform/logger.js'
import { countBatchFromMemory, countBatchRelocked, countBatchReread, observeBatchSize } from '../../src/platform/metrics.js'
import { startHarness, type Harness } from '../support/harness.js'

let h: Harness
let withMetrics: FastifyInstance
before(async () => {
  h = await startHarness()
  withMetrics = await buildApp(h.services, createLogger('silent'), { metrics: true })
  await withMetrics.ready()
})
after(async () => {
  await withMetrics?.close()
  await h.close()
})

/** The value of one sample line, e.g. `keel_webhook_backlog` or `name{label="x"}`. */
function sample(text: string, name: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(name + ' '))
  return line === undefined ? undefined : Number(line.slice(name.length + 1))
}

it('is not served unless the setting is on', async () => {
  assert.equal((await h.app.inject({ method: 'GET', url: '/metrics' })).statusCode, 404)
})

it('serves requests by route and status, latency, batch sizes, webhook backlog and lag, and database connections, without a key', async () => {
  const auth = { authorization: `Bearer ${h.keys.a}` }
  for (let i = 0; i < 3; i++) assert.equal((await withMetrics.inject({ method: 'GET', url: '/v0/persons', headers: auth })).statusCode, 200)
  assert.equal((await withMetrics.inject({ method: 'GET', url: `/v0/persons/${'0'.repeat(8)}-0000-7000-8000-000000000000`, headers: auth })).statusCode, 404)
  assert.equal((await withMetrics.inject({ method: 'GET', url: '/v0/persons' })).statusCode, 401)
  // A webhook with an event due and no dispatcher running: a backlog of one, waiting.
  const hook = await h.request('POST', '/v0/webhooks', { body: { url: 'http://127.0.0.1:9/h', enabled_events: ['PERSON.CREATED'], is_enabled: true } })
  assert.equal(hook.status, 201)
  assert.equal((await h.request('POST', '/v0/webhooks/trigger', { body: { event: 'PERSON.CREATED' } })).status, 200)
  observeBatchSize(7)
  observeBatchSize(300)
  countBatchRelocked()
  countBatchRelocked()
  countBatchFromMemory()
  countBatchFromMemory()
  countBatchFromMemory()
  countBatchReread()

  const res = await withMetrics.inject({ method: 'GET', url: '/metrics' })
  assert.equal(res.statusCode, 200)
  assert.match(String(res.headers['content-type']), /^text\/plain/)
  const text = res.body
  assert.equal(sample(text, 'keel_http_requests_total{method="GET",route="/v0/persons",status="200"}'), 3)
  assert.equal(sample(text, 'keel_http_requests_total{method="GET",route="/v0/persons/:person_id",status="404"}'), 1)
  assert.equal(sample(text, 'keel_http_requests_total{method="GET",route="/v0/persons",status="401"}'), 1)
  assert.equal(sample(text, 'keel_http_request_duration_seconds_count{method="GET",route="/v0/persons"}'), 4)
  assert.ok(text.includes('keel_http_request_duration_seconds_bucket{le="0.005",method="GET",route="/v0/persons"}'))
  assert.equal(sample(text, 'keel_ledger_batch_size_count'), 2)
  assert.equal(sample(text, 'keel_ledger_batch_size_bucket{le="8"}'), 1)
  assert.equal(sample(text, 'keel_ledger_batch_size_sum'), 307)
  assert.equal(sample(text, 'keel_ledger_batches_relocked_total'), 2)
  assert.equal(sample(text, 'keel_ledger_batches_from_memory_total'), 3)
  assert.equal(sample(text, 'keel_ledger_batches_reread_total'), 1)
  assert.equal(sample(text, 'keel_webhook_backlog'), 1)
  const lag = sample(text, 'keel_webhook_lag_seconds')!
  assert.ok(lag >= 0 && lag < 60, String(lag))
  const connections = text.split('\n').filter((l) => l.startsWith('keel_db_connections{')).reduce((n, l) => n + Number(l.split(' ')[1]), 0)
  assert.ok(connections >= 1, 'the scrape itself holds a connection')
  assert.equal(sample(text, 'keel_db_pool_size'), 10)
  assert.ok(sample(text, 'keel_process_resident_memory_bytes')! > 0)
})
