// What a live workspace is told when it asks for what only a sandbox has: every simulation, a test
// card's barcode, the card image review (the bank's own in live) and Keel's workspace clock answer
// 400 FEATURE_NOT_AVAILABLE, the catalogue's code for a feature not available to this client (the
// simulations declare 400, 401, 403 and 500), before the body is looked at, and change nothing.
import assert from 'node:assert/strict'
import { after, before, it } from 'node:test'
import { uuidv7 } from '../../src/platform/ids.js'
import { operations, type OperationId } from '../../src/spec/schemas.js'
import { startHarness, type Harness } from '../support/harness.js'

let h: Harness
before(async () => { h = await startHarness() })
after(async () => { await h.close() })

const sandboxOnly: { method: string; url: string }[] = [
  ...(Object.keys(operations) as OperationId[])
    .filter((id) => operations[id].path.includes('_simulations/') || id === 'updateCardImageDetails' || id === 'getCardBarcode')
    .map((id) => ({ method: operations[id].method, url: '/v0' + operations[id].path.replace(/:\w+/g, () => uuidv7()) })),
  { method: 'POST', url: '/v0/sandbox/clock/advance' },
]

it('answers every sandbox-only operation asked of a live workspace with 400 FEATURE_NOT_AVAILABLE, whatever the body', async () => {
  // Ten card messages, two ACH simulations, the fulfillment simulation, the barcode, the image review, the clock.
  assert.ok(sandboxOnly.length >= 16, `${sandboxOnly.length} sandbox-only operations`)
  const events = async () => (await h.sql`select count(*)::int as n from events where workspace_id = ${h.workspaces.live}`)[0].n
  const before = await events()
  for (const { method, url } of sandboxOnly) {
    for (const body of method === 'GET' ? [undefined] : [{}, { amount: 'not a number' }]) {
      const res = await h.request(method, url, { key: h.keys.live, body })
      assert.equal(res.status, 400, `${method} ${url}: ${JSON.stringify(res.body)}`)
      assert.equal(res.body.code, 'FEATURE_NOT_AVAILABLE', `${method} ${url}`)
      assert.match(res.body.detail, /exist only in sandbox workspaces; this workspace is live$/, `${method} ${url}`)
    }
    // A sandbox workspace is not refused so: it reads the request (here, a bad body or an unknown id).
    const sandbox = await h.request(method, url, { body: method === 'GET' ? undefined : {} })
    assert.notEqual(sandbox.body.code, 'FEATURE_NOT_AVAILABLE', `${method} ${url} in a sandbox`)
  }
  assert.equal(await events(), before)
})
