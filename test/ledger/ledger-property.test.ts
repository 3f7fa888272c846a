// Random sequences of ledger commands against real PostgreSQL, checked against an independent
// model: N-leg posts across two currencies, holds captured in part and more than once, raised and
// lowered, voided, linked groups with a failing member, group-committed batches, clock advances
// that expire holds, and internal transfers retried with their Idempotency-Key. Accounts include a
// suspended one, a frozen one, an overdraft, a ceiling, and a spend control's rolling window (every
// command is an internal transfer payment, so the window counts them all). After every step: the
// ledger audit is clean, every balance equals the model's, and a rejected command changed nothing.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import fc from 'fast-check'
import { WorkspaceClock } from '../../src/platform/clock.js'
import { uuidv7 } from '../../src/platform/ids.js'
import {
  applyInTransaction, auditLedger, expireDueHolds, expiredStatements, insertLedgerAccount, ledgerAccountsAt, LedgerBatcher,
  type LedgerCommand, type LedgerRequest, type LedgerResult,
} from '../../src/ledger/index.js'
import { startHarness, type Harness } from '../support/harness.js'

/** Fixed in CI so a failure reproduces; set KEEL_PROPERTY_SEED to explore. */
const seed = Number(process.env.KEEL_PROPERTY_SEED ?? 20261129)
const runs = Number(process.env.KEEL_PROPERTY_RUNS ?? 60)
const minuteMs = 60_000
const dayMs = 24 * 60 * minuteMs
/** Account 0's spend control: at most this much debited in any rolling day. */
const windowLimit = 200n
/** Commands the window refused (every earlier rule passing): the property must meet some. */
let windowRefusals = 0

/** The model's time, which the harness's clock (and so the HTTP path) reads too. */
let nowMs = Date.parse('2033-01-01T00:00:00Z')
let h: Harness
before(async () => { h = await startHarness({ clock: new WorkspaceClock(() => nowMs) }) })
after(async () => { await h.close() })

interface ModelAccount { id: string; currency: string; status: string; access: string; posted: bigint; held: bigint; floor: bigint | null; ceiling: bigint | null }
interface ModelHold { id: string; from: number; to: number; amount: bigint; captured: bigint; status: 'PENDING' | 'CLEARED' | 'RELEASED' | 'EXPIRED' | 'DECLINED'; expiresAt: number; createdAt: number }

// 0 USD source (no floor; a spend control of windowLimit a day on its debits), 1 USD overdraft 100, 2 USD ceiling 300, 3 USD suspended, 4 EUR source, 5 EUR frozen, 6 EUR plain.
const layout = [
  { currency: 'USD', status: 'ACTIVE_OR_DISBURSED', access: 'ACTIVE', floor: null, ceiling: null },
  { currency: 'USD', status: 'ACTIVE_OR_DISBURSED', access: 'ACTIVE', floor: -100n, ceiling: null },
  { currency: 'USD', status: 'ACTIVE_OR_DISBURSED', access: 'ACTIVE', floor: 0n, ceiling: 300n },
  { currency: 'USD', status: 'SUSPENDED', access: 'ACTIVE', floor: 0n, ceiling: null },
  { currency: 'EUR', status: 'ACTIVE_OR_DISBURSED', access: 'ACTIVE', floor: null, ceiling: null },
  { currency: 'EUR', status: 'ACTIVE_OR_DISBURSED', access: 'FROZEN', floor: 0n, ceiling: null },
  { currency: 'EUR', status: 'ACTIVE_OR_DISBURSED', access: 'ACTIVE', floor: 0n, ceiling: null },
] as const

type Leg = { account: number; amount: number }
type Step =
  | { kind: 'post'; legs: Leg[]; currency: 'USD' | 'EUR' }
  | { kind: 'pending'; from: number; to: number; amount: number; minutes: number; /** Recorded as a decline when refused (a card authorization). */ declineIfRefused: boolean }
  | { kind: 'capture'; hold: number; amount: number | null; final: boolean }
  | { kind: 'adjust'; hold: number; delta: number }
  | { kind: 'void'; hold: number }
  | { kind: 'group'; first: { from: number; to: number; amount: number }; second: { from: number; to: number; amount: number } }
  | { kind: 'batch'; transfers: { from: number; to: number; amount: number }[] }
  | { kind: 'advance'; minutes: number }
  | { kind: 'keyed'; from: number; to: number; amount: number }

const account = fc.nat(layout.length - 1)
const pair = fc.tuple(account, account).filter(([a, b]) => a !== b)
const move = pair.chain(([from, to]) => fc.integer({ min: 1, max: 150 }).map((amount) => ({ from, to, amount })))
const step: fc.Arbitrary<Step> = fc.oneof(
  // N legs in one currency: debits from one or two accounts, credit to one (or a stray currency, refused).
  fc.record({ a: account, b: account, c: account, x: fc.integer({ min: 1, max: 120 }), y: fc.integer({ min: 0, max: 60 }), currency: fc.constantFrom('USD' as const, 'EUR' as const) })
    .filter(({ a, b, c }) => a !== b && b !== c && a !== c)
    .map(({ a, b, c, x, y, currency }) => ({ kind: 'post' as const, currency, legs: y === 0 ? [{ account: a, amount: -x }, { account: c, amount: x }] : [{ account: a, amount: -x }, { account: b, amount: -y }, { account: c, amount: x + y }] })),
  move.chain((m) => fc.record({ minutes: fc.integer({ min: 1, max: 3 }), declineIfRefused: fc.boolean() }).map((r) => ({ kind: 'pending' as const, ...m, ...r }))),
  fc.record({ hold: fc.nat(30), amount: fc.option(fc.integer({ min: 1, max: 80 })), final: fc.boolean() }).map((r) => ({ kind: 'capture' as const, ...r })),
  fc.record({ hold: fc.nat(30), delta: fc.integer({ min: -60, max: 60 }).filter((d) => d !== 0) }).map((r) => ({ kind: 'adjust' as const, ...r })),
  fc.record({ hold: fc.nat(30) }).map((r) => ({ kind: 'void' as const, ...r })),
  fc.record({ first: move, second: move }).map((r) => ({ kind: 'group' as const, ...r })),
  fc.array(move, { minLength: 2, maxLength: 10 }).map((transfers) => ({ kind: 'batch' as const, transfers })),
  // A burst of payments from the account with the spend window, in one batch.
  fc.array(fc.record({ to: fc.integer({ min: 1, max: layout.length - 1 }), amount: fc.integer({ min: 1, max: 150 }) }), { minLength: 2, maxLength: 6 })
    .map((transfers) => ({ kind: 'batch' as const, transfers: transfers.map((t) => ({ from: 0, ...t })) })),
  // A hold on it, which its window counts while it holds.
  fc.record({ to: fc.integer({ min: 1, max: layout.length - 1 }), amount: fc.integer({ min: 1, max: 150 }), minutes: fc.integer({ min: 1, max: 3 }), declineIfRefused: fc.boolean() })
    .map((r) => ({ kind: 'pending' as const, from: 0, ...r })),
  // Minutes (holds expire), now and then a day (the spend window empties).
  fc.oneof(fc.integer({ min: 1, max: 3 }), fc.constant(24 * 60)).map((minutes) => ({ kind: 'advance' as const, minutes })),
  move.map((m) => ({ kind: 'keyed' as const, ...m })),
)

const show = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x))

describe('ledger properties', () => {
  it(`keeps its invariants over random command sequences (seed ${seed})`, async () => {
    const ws = await h.newWorkspace('property', 'sandbox')
    const batcher = new LedgerBatcher(h.sql, { batchSizeMax: 64, nowOf: () => new Date(nowMs) })
    let runsDone = 0
    await fc.assert(fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 20 }), async (steps) => {
      runsDone++
      const model: ModelAccount[] = layout.map((l) => ({ id: uuidv7(), ...l, posted: 0n, held: 0n }))
      for (const [i, a] of model.entries()) {
        await insertLedgerAccount(h.sql, {
          workspace_id: ws.id, id: a.id, kind: 'ACCOUNT', account_number: `${runsDone}${i}${a.id.replace(/-/g, '').slice(-12)}`, currency: a.currency,
          status: a.status, access_status: a.access, floor: a.floor, ceiling: a.ceiling, created_at: new Date(nowMs),
        })
      }
      await h.sql`insert into ledger_account_holders (workspace_id, account_id, spend_controls)
        values (${ws.id}, ${model[0].id}, ${h.sql.json([{ id: uuidv7(), amount_limit: Number(windowLimit), window_days: 1, direction: 'DEBITS', payment_types: [], payment_sub_types: [] }])})`
      const holds: ModelHold[] = []
      // Payments (LedgerRequest.payment) of the kind the window counts.
      const meta = { kind: 'INTERNAL_TRANSFER', type: 'ACCOUNT_TO_ACCOUNT' }
      /** Account 0's debits posted, by time: what its window counts with its live holds. */
      const debitsOf0: { at: number; amount: bigint }[] = []

      // ---- the model: the rules, written again independently of src/ledger/rules.ts
      /** Holds past their expiry give their money back (the ledger does so when it next meets them). */
      const expireDue = () => {
        for (const hd of holds) if (hd.status === 'PENDING' && hd.expiresAt <= nowMs) { model[hd.from].held -= hd.amount - hd.captured; hd.status = 'EXPIRED' }
      }
      const active = (a: ModelAccount) => a.status === 'ACTIVE_OR_DISBURSED' && a.access !== 'FROZEN'
      /** What account 0's window holds: debits posted in the last day, and what its pending holds made in it still reserve. */
      const spentOf0 = () => debitsOf0.filter((d) => d.at >= nowMs - dayMs).reduce((n, d) => n + d.amount, 0n) +
        holds.filter((x) => x.from === 0 && x.status === 'PENDING' && x.expiresAt > nowMs && x.createdAt >= nowMs - dayMs).reduce((n, x) => n + x.amount - x.captured, 0n)
      /** Whether a debit of `amount` from account `i` fits its spend window (only account 0 has one). */
      const fitsWindow = (i: number, amount: bigint) => {
        const fits = i !== 0 || spentOf0() + amount <= windowLimit
        if (!fits) windowRefusals++
        return fits
      }
      const avail = (a: ModelAccount) => a.posted - a.held
      /** Applies signed changes to posted if every rule allows; says whether it did. */
      const postModel = (legs: { account: number; amount: bigint }[], currency: string, dry = false): boolean => {
        if (legs.some((l) => model[l.account].currency !== currency || !active(model[l.account]))) return false
        if (legs.some((l) => l.amount < 0n && !fitsWindow(l.account, -l.amount))) return false
        for (const l of legs) {
          const a = model[l.account]
          if (l.amount < 0n && a.floor !== null && avail(a) + l.amount < a.floor) return false
          if (l.amount > 0n && a.ceiling !== null && a.posted + l.amount > a.ceiling) return false
        }
        if (dry) return true
        for (const l of legs) {
          model[l.account].posted += l.amount
          if (l.account === 0 && l.amount < 0n) debitsOf0.push({ at: nowMs, amount: -l.amount })
        }
        return true
      }
      const twoLegs = (m: { from: number; to: number; amount: number }) => [{ account: m.from, amount: -BigInt(m.amount) }, { account: m.to, amount: BigInt(m.amount) }]
      const postCommand = (legs: { account: number; amount: bigint }[], currency: string): LedgerCommand =>
        ({ id: uuidv7(), kind: 'post', legs: legs.map((l) => ({ accountId: model[l.account].id, amount: l.amount, currency })), meta })
      const request = (...commands: LedgerCommand[]): LedgerRequest => ({ workspaceId: ws.id, now: new Date(nowMs), partnerVerified: true, payment: { type: 'INTERNAL_TRANSFER' }, commands })
      const apply = async (r: LedgerRequest): Promise<LedgerResult> =>
        (await h.sql.begin((tx) => applyInTransaction(tx, [r], { expiredStatements, nowOf: () => r.now })) as LedgerResult[])[0]

      const snapshot = async () => show(await h.sql`
        select (select json_agg(json_build_object('id', id, 'posted', posted, 'held', held) order by id) from ledger_accounts where workspace_id = ${ws.id}) as accounts,
               (select count(*) from ledger_transfers where workspace_id = ${ws.id})::int as transfers,
               (select json_agg(json_build_object('id', id, 'amount', amount, 'captured', captured, 'status', status) order by id) from ledger_holds where workspace_id = ${ws.id}) as holds`)

      for (const s of steps) {
        const before = await snapshot()
        let expected = true
        let accepted: boolean
        if (s.kind === 'post') {
          const legs = s.legs.map((l) => ({ account: l.account, amount: BigInt(l.amount) }))
          expireDue()
          expected = postModel(legs, s.currency, true)
          accepted = (await apply(request(postCommand(legs, s.currency)))).ok
          if (expected) postModel(legs, s.currency)
        } else if (s.kind === 'pending') {
          const from = model[s.from]
          const to = model[s.to]
          const amount = BigInt(s.amount)
          expireDue()
          expected = from.currency === to.currency && active(from) && active(to) && fitsWindow(s.from, amount) && (from.floor === null || avail(from) - amount >= from.floor) && (to.ceiling === null || to.posted + amount <= to.ceiling)
          const id = uuidv7()
          const expiresAt = nowMs + s.minutes * minuteMs
          const otherwise = s.declineIfRefused
            ? () => ({ id, kind: 'decline' as const, debitAccountId: from.id, creditAccountId: to.id, amount, currency: from.currency, meta })
            : undefined
          const result = await apply({ ...request({ id, kind: 'pending', debitAccountId: from.id, creditAccountId: to.id, amount, currency: from.currency, expiresAt: new Date(expiresAt), meta }), otherwise })
          accepted = result.ok
          if (expected) { from.held += amount; holds.push({ id, from: s.from, to: s.to, amount, captured: 0n, status: 'PENDING', expiresAt, createdAt: nowMs }) }
          else if (s.declineIfRefused && from.currency === to.currency) {
            // Refused, so recorded as declined: a hold of nothing that no later command can act on.
            expected = true
            assert.ok(result.ok && result.transfers[0].status === 'DECLINED', show({ s, result }))
            holds.push({ id, from: s.from, to: s.to, amount: 0n, captured: 0n, status: 'DECLINED', expiresAt: Infinity, createdAt: nowMs })
          }
        } else if (s.kind === 'capture' || s.kind === 'adjust' || s.kind === 'void') {
          const hd = holds[s.hold % Math.max(holds.length, 1)]
          if (!hd) continue
          expireDue()
          const from = model[hd.from]
          const to = model[hd.to]
          const remaining = hd.amount - hd.captured
          const open = hd.status === 'PENDING'
          let command: LedgerCommand
          if (s.kind === 'capture') {
            const amount = s.amount === null ? remaining : BigInt(s.amount)
            expected = open && amount <= remaining && active(from) && active(to) && (to.ceiling === null || to.posted + amount <= to.ceiling)
            command = { id: uuidv7(), kind: 'post_pending', pendingId: hd.id, amount: s.amount === null ? undefined : amount, final: s.final, meta }
            if (expected) {
              from.posted -= amount; to.posted += amount; hd.captured += amount
              if (hd.from === 0) debitsOf0.push({ at: nowMs, amount })
              const released = s.final ? hd.amount - hd.captured : 0n
              from.held -= amount + released
              if (s.final || hd.captured === hd.amount) hd.status = 'CLEARED'
            }
          } else if (s.kind === 'adjust') {
            const delta = BigInt(s.delta)
            expected = open && (delta > 0n ? active(from) && active(to) && fitsWindow(hd.from, delta) && (from.floor === null || avail(from) - delta >= from.floor) : -delta < remaining)
            command = { id: uuidv7(), kind: 'adjust_pending', pendingId: hd.id, delta, meta }
            if (expected) { from.held += delta; hd.amount += delta }
          } else {
            expected = open
            command = { id: uuidv7(), kind: 'void_pending', pendingId: hd.id, meta }
            if (expected) { from.held -= remaining; hd.status = 'RELEASED' }
          }
          accepted = (await apply(request(command))).ok
        } else if (s.kind === 'group') {
          // All or nothing: the second sees the first; neither lands unless both may.
          expireDue()
          const copy = model.map((a) => ({ ...a }))
          const debitsBefore = debitsOf0.length
          const okFirst = model[s.first.from].currency === model[s.first.to].currency && postModel(twoLegs(s.first), model[s.first.from].currency)
          const okSecond = okFirst && model[s.second.from].currency === model[s.second.to].currency && postModel(twoLegs(s.second), model[s.second.from].currency)
          expected = okFirst && okSecond
          if (!expected) { copy.forEach((a, i) => Object.assign(model[i], a)); debitsOf0.length = debitsBefore }
          const result = await apply(request(postCommand(twoLegs(s.first), model[s.first.from].currency), postCommand(twoLegs(s.second), model[s.second.from].currency)))
          accepted = result.ok
          if (!result.ok) assert.equal(result.index, okFirst ? 1 : 0, show({ s, result }))
        } else if (s.kind === 'batch') {
          // A group-committed batch: each request decided on its own, in submission order.
          expireDue()
          const outcomes = await Promise.all(s.transfers.map((t) => batcher.submit({ request: request(postCommand(twoLegs(t), model[t.from].currency)) })))
          outcomes.forEach((o, i) => {
            const t = s.transfers[i]
            const ok = model[t.from].currency === model[t.to].currency && postModel(twoLegs(t), model[t.from].currency)
            assert.equal(o.result!.ok, ok, show({ t, o }))
          })
          accepted = expected = true
        } else if (s.kind === 'advance') {
          nowMs += s.minutes * minuteMs
          expireDue()
          await expireDueHolds(h.sql, h.services.clock, 100, ws.id)
          accepted = expected = true
        } else {
          // An internal transfer over HTTP, sent twice with one Idempotency-Key: applied once, answered alike.
          const key = uuidv7()
          const body = { amount: s.amount, currency: model[s.from].currency, type: 'ACCOUNT_TO_ACCOUNT', originating_account_id: model[s.from].id, receiving_account_id: model[s.to].id }
          const send = () => h.request('POST', '/v0/transactions/internal_transfer', { key: ws.key, body, headers: { 'idempotency-key': key } })
          expireDue()
          expected = model[s.from].currency === model[s.to].currency && postModel(twoLegs(s), model[s.from].currency)
          const first = await send()
          const again = await send()
          accepted = first.status === 200
          assert.equal(again.status, first.status, show({ first: first.body, again: again.body }))
          if (accepted) assert.deepEqual([again.body, again.headers['idempotent-replayed']], [first.body, 'true'])
        }
        assert.equal(accepted, expected, show({ s, expected }))
        if (!accepted) assert.equal(await snapshot(), before, `a rejected ${s.kind} changed nothing`)

        const report = await auditLedger(h.sql, ws.id)
        assert.deepEqual(report.discrepancies, [])
        // Balances as read at the model's time (holds past their expiry not counted).
        const rows = await ledgerAccountsAt(h.sql, ws.id, model.map((a) => a.id), new Date(nowMs))
        for (const row of rows) {
          const m = model.find((a) => a.id === row.id)!
          assert.deepEqual([row.posted, row.held], [m.posted, m.held], `balances of account ${model.indexOf(m)} after ${show(s)}`)
        }
        const storedHolds = await h.sql<{ id: string; amount: bigint; captured: bigint; status: string; expires_at: Date }[]>`
          select id, amount, captured, status, expires_at from ledger_holds where id = any(${holds.map((x) => x.id)}::uuid[])`
        for (const row of storedHolds) {
          const m = holds.find((x) => x.id === row.id)!
          const shown = row.status === 'PENDING' && row.expires_at.getTime() <= nowMs ? 'EXPIRED' : row.status
          assert.deepEqual([row.amount, row.captured, shown], [m.amount, m.captured, m.status], `hold ${m.id}`)
        }
      }
    }), { seed, numRuns: runs, includeErrorInReport: true })
    assert.ok(batcher.stats.batches > 0)
    assert.ok(windowRefusals > 0, 'some payments were refused by the spend window')
    assert.ok(batcher.stats.jobs > batcher.stats.batches, 'some batches held several requests')
    const [declines] = await h.sql<{ n: number }[]>`select count(*)::int as n from ledger_transfers where workspace_id = ${ws.id} and action = 'decline'`
    assert.ok(declines.n > 0, 'some refused holds were recorded as declines')
  })
})
