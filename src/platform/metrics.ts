import type { FastifyInstance } from 'fastify'
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client'

// Prometheus metrics, served at GET /metrics (no key) when KEEL_METRICS is on. One registry per
// process; any part of Keel records into it through the functions below, whether or not it is served.

export const metricsRegistry = new Registry()
collectDefaultMetrics({ register: metricsRegistry, prefix: 'keel_' })

/** Request latency buckets, in seconds: from a cached read to a request stuck behind a lock. */
export const requestDurationBucketsSeconds = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
/** Group-commit batch sizes: one request alone up to the ledger's largest batch. */
export const batchSizeBuckets = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024]

const requests = new Counter({
  name: 'keel_http_requests_total', help: 'HTTP requests answered, by method, route pattern and status',
  labelNames: ['method', 'route', 'status'] as const, registers: [metricsRegistry],
})
const requestDuration = new Histogram({
  name: 'keel_http_request_duration_seconds', help: 'Time from receiving a request to finishing its answer, by method and route pattern',
  labelNames: ['method', 'route'] as const, buckets: requestDurationBucketsSeconds, registers: [metricsRegistry],
})
const batchSizes = new Histogram({
  name: 'keel_ledger_batch_size', help: 'Transfers per group-commit batch (one database transaction)',
  buckets: batchSizeBuckets, registers: [metricsRegistry],
})

const batchesRelocked = new Counter({
  name: 'keel_ledger_batches_relocked_total', help: 'Group-commit batches that found a row they decided on changed when they locked it, and ran again locking first',
  registers: [metricsRegistry],
})

const batchesFromMemory = new Counter({
  name: 'keel_ledger_batches_from_memory_total', help: 'Group-commit batches committed in one round trip, decided on the accounts as the process knew them',
  registers: [metricsRegistry],
})

const batchesReread = new Counter({
  name: 'keel_ledger_batches_reread_total', help: 'Group-commit batches decided from memory that found something not as known, and ran again reading first',
  registers: [metricsRegistry],
})

/** Counts one batch committed decided from memory (the ledger calls it each time). */
export function countBatchFromMemory(): void {
  batchesFromMemory.inc()
}

/** Counts one batch decided from memory that runs again reading (the ledger calls it each time). */
export function countBatchReread(): void {
  batchesReread.inc()
}

/** Counts one batch run again locking first (the ledger calls it each time). */
export function countBatchRelocked(): void {
  batchesRelocked.inc()
}

/** Records the size of one group-commit batch: the ledger calls it once per transaction it commits. */
export function observeBatchSize(transfers: number): void {
  batchSizes.observe(transfers)
}

/**
 * A gauge read when metrics are scraped (a backlog counted in the database…). Defining one again
 * replaces it (several apps are built in one test process).
 */
export function defineGauge<L extends string>(
  config: { name: string; help: string; labelNames?: readonly L[] },
  collect: (gauge: Gauge<L>) => Promise<void>,
): void {
  metricsRegistry.removeSingleMetric(config.name)
  new Gauge<L>({ ...config, labelNames: config.labelNames ?? [], registers: [metricsRegistry], async collect() { await collect(this) } })
}

/**
 * Serves GET /metrics and counts every request by route pattern (never the raw URL: bounded
 * label values) and status. A request no route matched is counted under "(unmatched)".
 */
export function serveMetrics(app: FastifyInstance): void {
  app.addHook('onResponse', (req, reply, done) => {
    const route = req.routeOptions.url ?? '(unmatched)'
    requests.inc({ method: req.method, route, status: String(reply.statusCode) })
    requestDuration.observe({ method: req.method, route }, reply.elapsedTime / 1000)
    done()
  })
  app.get('/metrics', async (_req, reply) => {
    const text = await metricsRegistry.metrics()
    return reply.type(metricsRegistry.contentType).send(text)
  })
}
