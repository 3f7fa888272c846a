import assert from 'node:assert/strict'
import { it } from 'node:test'
import { loadConfig } from './config.js'

it('reads the rate limits, load-shedding bound, metrics switch and allowed networks', () => {
  const c = loadConfig({ KEEL_RATE_LIMIT_KEY: '10', KEEL_RATE_LIMIT_SOURCE: '0', KEEL_REQUESTS_IN_FLIGHT_MAX: '64', KEEL_METRICS: 'on', KEEL_OUTBOUND_ALLOWED_NETWORKS: ' 10.0.0.0/8, fd00::/8 ' })
  assert.deepEqual(c.limits, { keyPerSecond: 10, keyBurst: 20, sourcePerSecond: 0, sourceBurst: 0, requestsInFlightMax: 64 })
  assert.equal(c.metrics, true)
  assert.deepEqual(c.outboundAllowedNetworks, ['10.0.0.0/8', 'fd00::/8'])
  const d = loadConfig({})
  assert.deepEqual(d.limits, {})
  assert.equal(d.metrics, false)
  assert.equal(d.outboundAllowedNetworks, undefined, 'unset: the default follows HOST')
  assert.deepEqual(loadConfig({ KEEL_OUTBOUND_ALLOWED_NETWORKS: '' }).outboundAllowedNetworks, [], 'empty: none')
  assert.throws(() => loadConfig({ KEEL_RATE_LIMIT_KEY: '1e3' }))
  assert.throws(() => loadConfig({ KEEL_REQUESTS_IN_FLIGHT_MAX: '-1' }))
})
