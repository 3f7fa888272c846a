// A quarter on an advanced sandbox clock: daily accruals, monthly payouts, a rate change, monthly
// fees (pro-rated, waived, owed and collected), three statements per account reconciling to the
// ledger, the PDF form of one, and the books clean.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { WorkspaceClock } from '../../src/platform/clock.js'
import { auditLedger, postedBalanceAsOf } from '../../src/ledger/index.js'
import { runDays, type Rate } from '../../src/interest/arithmetic.js'
import { endOfDay, isMonthEnd } from '../../src/statements/calendar.js'
import { startHarness, type Harness } from '../support/harness.js'
import { balances, fundingAccount, openAccount, transfer } from '../support/accounts.js'

// 10 December 2031, 10:00 in New York: the first cycle runs 22 days.
const baseMs = Date.parse('2031-12-10T15:00:00Z')
let h: Harness
let ws: { id: string; key: string }
before(async () => {
  h = await startHarness({ clock: new WorkspaceClock(() => baseMs) })
  ws = await h.newWorkspace('quarter', 'sandbox')
})
after(async () => {
  assert.deepEqual((await auditLedger(h.sql)).discrepancies, [])
  await h.close()
})

// A rate change on 16 January: valid_to is exclusive (the spec), so the first period ends the day the second begins.
const rates: Rate[] = [{ rate: 500, valid_from: '2031-01-01', valid_to: '2032-01-16' }, { rate: 1000, valid_from: '2032-01-16' }]
const interestProduct = { product_type: 'INTEREST', calculation_method: 'COMPOUNDED_DAILY', accrual_payout_schedule: 'MONTHLY', rates: rates.map((r) => ({ ...r, accrual_period: 'DAILY' })) }
const monthlyFee = { product_type: 'FEE', fee_type: 'MONTHLY_FEE', amount: 500, currency: 'USD' }
const daysOf = (from: string, n: number, balance: bigint) => Array.from({ length: n }, (_, i) => ({ day: new Date(Date.parse(from + 'T00:00:00Z') + i * 86_400_000).toISOString().slice(0, 10), balance }))
const advance = async (to: string) => {
  const res = await h.request('POST', '/v0/sandbox/clock/advance', { body: { to }, key: ws.key })
  assert.equal(res.status, 200, JSON.stringify(res.body))
}

describe('a quarter of interest, fees and statements', () => {
  let saver: any
  let payer: any
  let statementId: string

  it('runs on the clock and reconciles', async () => {
    const post = async (body: unknown) => {
      const res = await h.request('POST', '/v0/accounts/products', { body, key: ws.key })
      assert.equal(res.status, 201, JSON.stringify(res.body))
      return res.body.id
    }
    const interestId = await post(interestProduct)
    const feeId = await post(monthlyFee)
    // The saver keeps $10,000: its monthly fee is waived over a $5,000 minimum balance.
    saver = await openAccount(h, { interest_product_id: interestId, fee_product_ids: [feeId], metadata: { monthly_fee_waiver_min_balance: 500_000 } }, ws.key)
    // The payer has nothing in December (the pro-rated fee is owed), and is funded on 5 January.
    payer = await openAccount(h, { fee_product_ids: [feeId] }, ws.key)
    const funding = await fundingAccount(h, ws.key)
    const funded = await transfer(h, { amount: 1_000_000, originating_account_id: funding.id, receiving_account_id: saver.id }, { key: ws.key })
    assert.equal(funded.status, 200, JSON.stringify(funded.body))

    await advance('2032-01-05T17:00:00Z')
    const owedBeforeFunds = await h.sql`select amount, remaining from fees_owed where workspace_id = ${ws.id} and account_id = ${payer.id}`
    // $5 × 22/31 = 354.8 → 355, none of it chargeable.
    assert.deepEqual(owedBeforeFunds.map((r) => [r.amount, r.remaining]), [[355n, 355n]])
    const paid = await transfer(h, { amount: 10_000, originating_account_id: funding.id, receiving_account_id: payer.id }, { key: ws.key })
    assert.equal(paid.status, 200)
    await advance('2032-03-01T17:00:00Z')

    // Interest: the same arithmetic over the balances the account held, month by month.
    let balance = 1_000_000n
    let position = { accruedMicro: 0n, capitalisedMicro: 0n }
    const expectedPaid: bigint[] = []
    for (const [from, n] of [['2031-12-10', 22], ['2032-01-01', 31], ['2032-02-01', 29]] as const) {
      const r = runDays('COMPOUNDED_DAILY', 'MONTHLY', rates, daysOf(from, n, balance), isMonthEnd, position)
      expectedPaid.push(r.paidCents[0])
      balance += r.paidCents[0]
      position = { accruedMicro: r.accruedMicro, capitalisedMicro: r.capitalisedMicro }
    }
    assert.ok(expectedPaid.every((p) => p > 0n))
    assert.equal((await balances(h, saver.id, ws.key)).posted, Number(balance))
    const days = await h.sql`select count(*)::int as n from time_account_days where workspace_id = ${ws.id} and account_id = ${saver.id}`
    assert.equal(days[0].n, 82)

    // Fees: 355 owed then collected on 5 January, 500 at the end of January and of February.
    assert.equal((await balances(h, payer.id, ws.key)).posted, 10_000 - 355 - 500 - 500)
    const owed = await h.sql`select remaining from fees_owed where workspace_id = ${ws.id} and account_id = ${payer.id}`
    assert.deepEqual(owed.map((r) => r.remaining), [0n])
    const posted = await h.request('GET', `/v0/transactions/posted?account_id=${payer.id}`, { key: ws.key })
    assert.equal(posted.status, 200)
    const feeLines = posted.body.result.filter((t: any) => t.type === 'MONTHLY_FEE')
    assert.equal(feeLines.length, 3)
    assert.ok(feeLines.every((t: any) => t.data.lines.every((l: any) => l.is_fee === true)))
    assert.ok(posted.body.result.filter((t: any) => t.type !== 'MONTHLY_FEE').every((t: any) => t.data.lines.every((l: any) => l.is_fee === false)))

    // Statements: three per account, each reconciling, each following on from the last, the last
    // closing at the ledger's balance as of its end.
    for (const account of [saver, payer]) {
      const list = await h.request('GET', `/v0/statements?account_id=${account.id}`, { key: ws.key })
      assert.equal(list.status, 200, JSON.stringify(list.body))
      assert.deepEqual(list.body.statements.map((s: any) => [s.start_date, s.end_date, s.issue_date]), [
        ['2031-12-10', '2031-12-31', '2032-01-01'], ['2032-01-01', '2032-01-31', '2032-02-01'], ['2032-02-01', '2032-02-29', '2032-03-01'],
      ])
      let previousClosing = 0
      for (const [i, summary] of list.body.statements.entries()) {
        const s = await h.request('GET', `/v0/statements/${summary.id}`, { key: ws.key })
        assert.equal(s.status, 200, JSON.stringify(s.body))
        assert.equal(s.body.opening_balance, previousClosing)
        const txs = await h.request('GET', `/v0/statements/${summary.id}/transactions`, { key: ws.key })
        assert.equal(txs.status, 200, JSON.stringify(txs.body))
        const net = txs.body.transactions.flatMap((t: any) => t.data.lines.filter((l: any) => l.account_id === account.id).map((l: any) => (l.dc_sign === 'credit' ? l.amount : -l.amount)))
          .reduce((a: number, b: number) => a + b, 0)
        assert.equal(s.body.opening_balance + net, s.body.closing_balance, `statement ${i} reconciles`)
        assert.equal(BigInt(s.body.closing_balance), await postedBalanceAsOf(h.sql, ws.id, account.id, endOfDay(summary.end_date)))
        if (account === saver) {
          assert.equal(s.body.savings_summary.interest_earned, Number(expectedPaid[i]))
          assert.equal(s.body.savings_summary.interest_earned_previous_month, i === 0 ? 0 : Number(expectedPaid[i - 1]))
          assert.equal(txs.body.transactions.filter((t: any) => t.type === 'MONTHLY_FEE').length, 0, 'waived')
        } else {
          assert.equal(s.body.savings_summary, undefined)
          if (i === 1) {
            statementId = summary.id
            assert.deepEqual(txs.body.transactions.map((t: any) => t.type).sort(), ['ACCOUNT_TO_ACCOUNT', 'MONTHLY_FEE', 'MONTHLY_FEE'])
          }
        }
        previousClosing = s.body.closing_balance
      }
    }
    const events = await h.sql`select type, count(*)::int as n from events where workspace_id = ${ws.id} and type in ('STATEMENT.CREATED', 'INTEREST.MONTHLY_PAYOUT') group by type order by type`
    assert.deepEqual(events.map((e) => [e.type, e.n]), [['INTEREST.MONTHLY_PAYOUT', 3], ['STATEMENT.CREATED', 6]])
  })

  it('lists and reads statements only in their workspace, and refuses bad ids and queries', async () => {
    assert.equal((await h.request('GET', `/v0/statements/${statementId}`, { key: h.keys.b })).status, 404)
    assert.equal((await h.request('GET', `/v0/statements/${statementId}/transactions`, { key: h.keys.b })).status, 404)
    assert.deepEqual((await h.request('GET', `/v0/statements?account_id=${payer.id}`, { key: h.keys.b })).body.statements, [])
    assert.equal((await h.request('GET', '/v0/statements/not-a-uuid', { key: ws.key })).status, 404)
    const missing = await h.request('GET', '/v0/statements', { key: ws.key })
    assert.equal(missing.status, 400)
    assert.equal(missing.body.code, 'BAD_QUERY_PARAMETER')
    const page = await h.request('GET', `/v0/statements?account_id=${payer.id}&limit=2`, { key: ws.key })
    assert.equal(page.body.statements.length, 2)
    const rest = await h.request('GET', `/v0/statements?account_id=${payer.id}&limit=2&page_token=${page.body.next_page_token}`, { key: ws.key })
    assert.deepEqual([rest.body.statements.length, rest.body.next_page_token], [1, undefined])
  })

  it('follows the 35-day walk of docs/time.md: products attached by PATCH, one advance', async () => {
    const walk = await h.newWorkspace('walk', 'sandbox')
    const post = async (body: unknown) => (await h.request('POST', '/v0/accounts/products', { body, key: walk.key })).body.id
    const interestId = await post({ product_type: 'INTEREST', calculation_method: 'COMPOUNDED_DAILY', accrual_payout_schedule: 'MONTHLY', rates: [{ rate: 400, accrual_period: 'DAILY', valid_from: '2026-01-01' }] })
    const feeId = await post(monthlyFee)
    const account = await openAccount(h, {}, walk.key)
    const funding = await fundingAccount(h, walk.key)
    assert.equal((await transfer(h, { amount: 250_000, originating_account_id: funding.id, receiving_account_id: account.id }, { key: walk.key })).status, 200)
    const patched = await h.request('PATCH', `/v0/accounts/${account.id}`, { key: walk.key, body: { account_type: 'CHECKING', interest_product_id: interestId, fee_product_ids: [feeId], metadata: { monthly_fee_waiver_min_balance: 100_000 } } })
    assert.equal(patched.status, 200, JSON.stringify(patched.body))
    const advanced = await h.request('POST', '/v0/sandbox/clock/advance', { body: { by: 'P35D' }, key: walk.key })
    assert.equal(advanced.status, 200)
    const list = await h.request('GET', `/v0/statements?account_id=${account.id}`, { key: walk.key })
    assert.deepEqual(list.body.statements.map((s: any) => [s.start_date, s.end_date]), [['2031-12-10', '2031-12-31']])
    const posted = await h.request('GET', `/v0/transactions/posted?account_id=${account.id}`, { key: walk.key })
    assert.deepEqual(posted.body.result.map((t: any) => t.type).sort(), ['ACCOUNT_TO_ACCOUNT', 'INTEREST_PAYOUT'], 'interest paid, the fee waived')
  })

  it('renders a statement as a PDF', async () => {
    const res = await h.app.inject({ method: 'GET', url: `/v0/statements/${statementId}`, headers: { authorization: `Bearer ${ws.key}`, accept: 'application/pdf' } })
    assert.equal(res.statusCode, 200)
    assert.equal(res.headers['content-type'], 'application/pdf')
    const dir = mkdtempSync(join(tmpdir(), 'keel-statement-'))
    const file = join(dir, 'statement.pdf')
    writeFileSync(file, res.rawPayload)
    assert.equal(res.rawPayload.subarray(0, 5).toString(), '%PDF-')
    const text = execFileSync('pdftotext', ['-layout', file, '-']).toString()
    for (const s of ['Account statement, 2032-01-01 to 2032-01-31', 'Opening balance', 'Closing balance', 'Fees charged', '91.45', '100.00', '-8.55', 'Monthly maintenance fee', '2032-01-05', '2032-01-31']) {
      assert.ok(text.includes(s), `the PDF says ${s}:\n${text}`)
    }
    execFileSync('pdftoppm', ['-png', '-r', '60', '-f', '1', '-l', '1', file, join(dir, 'page')])
    const png = readFileSync(join(dir, 'page-1.png'))
    assert.equal(png.subarray(1, 4).toString(), 'PNG')
    if (process.env.KEEL_KEEP_PDF) writeFileSync(process.env.KEEL_KEEP_PDF, png)
    // Declared in Keel's OpenAPI document as an extension of the spec's operation.
    const doc = await h.app.inject({ method: 'GET', url: '/v0/openapi.json' })
    const content = doc.json().paths['/statements/{statement_id}'].get.responses['200'].content
    assert.ok(content['application/json'])
    assert.equal(content['application/pdf']['x-keel-extension'], true)
  })
})
