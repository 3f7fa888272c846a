// Random sequences of money promised to an account (ACH debits originated), promises broken
// (canceled, returned) and kept (settled: the promise ends and the money posts, in one
// transaction), internal transfers into the account, and clock advances of minutes to a day, on an
// account with a spend control on money in of 200 a rolling day. Checked against a model written
// apart from the ledger: a promise or a transfer in is refused exactly when what the window holds
// (credits posted in the last day and promises standing that were made in it) plus its amount passes
// the limit. The windows are read from the spend days, whose first day is summed from the records
// themselves, so the advances cross midnight (UTC) often. After every step the ledger's audit, which
// compares the kept days with those the records and promises make, is clean.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import fc from 'fast-check'
import { dayMs } from '../../src/platform/clock.js'
import { uuidv7 } from '../../src/platform/ids.js'
import {
  applyInTransaction, auditLedger, endPromises, expiredStatements, insertLedgerAccount, promiseCredit,
  type LedgerCommand, type LedgerRequest,
} from '../../src/ledger/index.js'
import { startHarness, type Harness } from '../support/harness.js'

/** Fixed so a failure reproduces; set KEEL_PROPERTY_SEED to explore. */
const seed = Number(process.env.KEEL_PROPERTY_SEED ?? 20261207)
const runs = Number(process.env.KEEL_PROPERTY_RUNS ?? 25)
const minuteMs = 60_000
const limit = 200n

let nowMs = Date.parse('2033-03-01T21:00:00Z')
let h: Harness
before(async () => { h = await startHarness() })
after(async () => { await h.close() })

type Step =
  | { kind: 'promise'; amount: number }
  | { kind: 'break'; promise: number }
  | { kind: 'keep'; promise: number }
  | { kind: 'transfer'; amount: number }
  | { kind: 'advance'; minutes: number }

const amount = fc.integer({ min: 1, max: 90 })
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 3, arbitrary: amount.map((a) => ({ kind: 'promise' as const, amount: a })) },
  { weight: 1, arbitrary: fc.nat(10).map((p) => ({ kind: 'break' as const, promise: p })) },
  { weight: 2, arbitrary: fc.nat(10).map((p) => ({ kind: 'keep' as const, promise: p })) },
  { weight: 3, arbitrary: amount.map((a) => ({ kind: 'transfer' as const, amount: a })) },
  { weight: 2, arbitrary: fc.oneof(fc.integer({ min: 1, max: 600 }), fc.constant(24 * 60)).map((m) => ({ kind: 'advance' as const, minutes: m })) },
)

const show = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x))

describe('money promised to an account, in its window on money in', () => {
  it(`is counted from the day it was promised until kept or broken (seed ${seed})`, async () => {
    const ws = await h.newWorkspace('promises', 'sandbox')
    let refusals = 0
    let accepted = 0
    await fc.assert(fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 25 }), async (steps) => {
      const source = uuidv7()
      const account = uuidv7()
      for (const [id, floor] of [[source, null], [account, 0n]] as const) {
        await insertLedgerAccount(h.sql, {
          workspace_id: ws.id, id, kind: 'ACCOUNT', account_number: id.replace(/-/g, '').slice(-16), currency: 'USD',
          status: 'ACTIVE_OR_DISBURSED', access_status: 'ACTIVE', floor, ceiling: null, created_at: new Date(nowMs),
        })
      }
      await h.sql`insert into ledger_account_holders (workspace_id, account_id, spend_controls)
        values (${ws.id}, ${account}, ${h.sql.json([{ id: uuidv7(), amount_limit: Number(limit), window_days: 1, direction: 'CREDITS', payment_types: [], payment_sub_types: [] }])})`

      // ---- the model
      const credits: { at: number; amount: bigint }[] = []
      const promises: { id: string; at: number; amount: bigint }[] = []
      const inWindow = (at: number) => at >= nowMs - dayMs
      const held = () => credits.filter((c) => inWindow(c.at)).reduce((n, c) => n + c.amount, 0n) +
        promises.filter((p) => inWindow(p.at)).reduce((n, p) => n + p.amount, 0n)
      const fits = (a: bigint) => held() + a <= limit

      const post = (amount: bigint, meta: LedgerCommand['meta']): LedgerCommand =>
        ({ id: uuidv7(), kind: 'post', legs: [{ accountId: source, amount: -amount, currency: 'USD' }, { accountId: account, amount, currency: 'USD' }], meta })
      const apply = (tx: Parameters<typeof applyInTransaction>[0], r: Omit<LedgerRequest, 'workspaceId' | 'now' | 'partnerVerified'>) =>
        applyInTransaction(tx, [{ workspaceId: ws.id, now: new Date(nowMs), partnerVerified: true, ...r }], { expiredStatements, nowOf: () => new Date(nowMs) })

      for (const s of steps) {
        if (s.kind === 'promise') {
          const id = uuidv7()
          const a = BigInt(s.amount)
          const expected = fits(a)
          const refusal = await h.sql.begin((tx) => promiseCredit(tx, { workspaceId: ws.id, id, accountId: account, amount: a, payment: { type: 'ACH', subType: 'ACH.OUTGOING_DEBIT' }, at: new Date(nowMs) }))
          assert.equal(refusal === undefined, expected, show({ s, held: held().toString(), refusal }))
          if (expected) promises.push({ id, at: nowMs, amount: a })
          else assert.equal(refusal!.code, 'spend_control_violation')
          if (expected) accepted++
          else refusals++
        } else if (s.kind === 'break' || s.kind === 'keep') {
          const p = promises[s.promise % Math.max(promises.length, 1)]
          if (!p) continue
          await h.sql.begin(async (tx) => {
            await endPromises(tx, ws.id, [p.id])
            // Kept: the debit settles, its money posted as the ACH rail posts it (no spend control decides it).
            if (s.kind === 'keep') {
              const [result] = await apply(tx, { commands: [post(p.amount, { kind: 'ACH', type: 'ACH.OUTGOING_DEBIT', referenceId: null, memo: null, details: {} })] })
              assert.ok(result.ok, show(result))
            }
          })
          promises.splice(promises.indexOf(p), 1)
          if (s.kind === 'keep') credits.push({ at: nowMs, amount: p.amount })
        } else if (s.kind === 'transfer') {
          const a = BigInt(s.amount)
          const expected = fits(a)
          const [result] = await h.sql.begin((tx) => apply(tx, { payment: { type: 'INTERNAL_TRANSFER' }, commands: [post(a, { kind: 'INTERNAL_TRANSFER', type: 'ACCOUNT_TO_ACCOUNT', referenceId: null, memo: null, details: {} })] }))
          assert.equal(result.ok, expected, show({ s, held: held().toString(), result }))
          if (expected) { credits.push({ at: nowMs, amount: a }); accepted++ }
          else { assert.equal(!result.ok && result.code, 'spend_control_violation'); refusals++ }
        } else {
          nowMs += s.minutes * minuteMs
        }
        assert.deepEqual((await auditLedger(h.sql, ws.id)).discrepancies, [], `after ${show(s)}`)
      }
      // The days kept are those the records and the promises standing make.
      const [{ standing }] = await h.sql<{ standing: string }[]>`select coalesce(sum(amount), 0)::text as standing from ledger_promises where workspace_id = ${ws.id} and account_id = ${account}`
      assert.equal(BigInt(standing), promises.reduce((n, p) => n + p.amount, 0n))
    }), { seed, numRuns: runs, includeErrorInReport: true })
    assert.ok(refusals > 0 && accepted > 0, `the window refused some (${refusals}) and let some through (${accepted})`)
  })
})
