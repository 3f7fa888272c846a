import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { it } from 'node:test'
import { renderStatementPdf, statementDescriptionCharsMax } from './pdf.js'

it('prints at most statementDescriptionCharsMax characters of a line\'s description, ending a longer one in an ellipsis', async () => {
  // A memo of 900,000 characters, one unbroken word: laid out whole, it held the event loop for minutes.
  const long = 'Q'.repeat(900_000)
  const pdf = await renderStatementPdf({
    bankName: 'Keel', accountNumber: '123456789012', accountType: 'CHECKING', currency: 'USD', startDate: '2032-04-01', endDate: '2032-04-30', issueDate: '2032-05-01',
    opening: 0n, closing: 100n, credits: 100n, debits: 0n, interestPaid: 0n, feesCharged: 0n, feesOwed: 0n,
    lines: [{ date: '2032-04-02', description: long, amount: 100n }, { date: '2032-04-03', description: 'Rent', amount: -5n }],
  })
  const dir = mkdtempSync(join(tmpdir(), 'keel-pdf-'))
  try {
    writeFileSync(join(dir, 's.pdf'), pdf)
    const text = execFileSync('pdftotext', [join(dir, 's.pdf'), '-']).toString()
    assert.equal(text.replace(/[^Q]/g, '').length, statementDescriptionCharsMax - 1)
    assert.ok(text.includes('…'), text.slice(0, 400))
    assert.ok(text.includes('Rent'))
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
