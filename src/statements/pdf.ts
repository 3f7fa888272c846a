// A statement as a printable PDF (a Keel extension: Synctera offers none), made with pdfkit.
// Pure rendering of what the statement and its transactions already say.

import PDFDocument from 'pdfkit'

/**
 * How much of a line's description a statement prints: a memo is the client's text, of any length,
 * and laying out a long unbroken word costs time that grows with the square of its length (a
 * 900,000-character memo held the event loop for minutes). Longer ones end in an ellipsis.
 */
export const statementDescriptionCharsMax = 120

const shortened = (text: string): string => ([...text].length <= statementDescriptionCharsMax ? text : [...text].slice(0, statementDescriptionCharsMax - 1).join('') + '…')

export interface PdfStatement {
  bankName: string
  accountNumber: string
  accountType: string
  currency: string
  startDate: string
  endDate: string
  issueDate: string
  opening: bigint
  closing: bigint
  credits: bigint
  debits: bigint
  interestPaid: bigint
  feesCharged: bigint
  feesOwed: bigint
  lines: { date: string; description: string; amount: bigint }[]
}

/** Minor units as a decimal amount with two places (every currency Keel holds has two). */
export function money(minor: bigint): string {
  const sign = minor < 0n ? '-' : ''
  const abs = minor < 0n ? -minor : minor
  const units = (abs / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',')
  return `${sign}${units}.${(abs % 100n).toString().padStart(2, '0')}`
}

/** Lines per page after the first. */
const linesPerPage = 40

export function renderStatementPdf(s: PdfStatement): Promise<Buffer> {
  const doc = new PDFDocument({ size: 'LETTER', margin: 54, info: { Title: `Statement ${s.startDate} to ${s.endDate}`, Producer: 'Keel' } })
  const chunks: Buffer[] = []
  doc.on('data', (c: Buffer) => chunks.push(c))
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)))
    doc.on('error', reject)
  })
  doc.font('Helvetica-Bold').fontSize(18).text(s.bankName)
  doc.font('Helvetica').fontSize(11).text(`Account statement, ${s.startDate} to ${s.endDate}`)
  doc.text(`Issued ${s.issueDate}`)
  doc.moveDown()
  doc.text(`Account ${s.accountNumber} (${s.accountType}), ${s.currency}`)
  doc.moveDown()
  const row = (label: string, value: string) => {
    const y = doc.y
    doc.text(label, 54, y, { width: 300 })
    doc.text(value, 354, y, { width: 200, align: 'right' })
  }
  doc.font('Helvetica-Bold').text('Summary')
  doc.font('Helvetica')
  row('Opening balance', money(s.opening))
  row('Credits', money(s.credits))
  row('Debits', money(-s.debits))
  row('Closing balance', money(s.closing))
  row('Interest paid', money(s.interestPaid))
  row('Fees charged', money(s.feesCharged))
  if (s.feesOwed > 0n) row('Fees owed', money(s.feesOwed))
  doc.moveDown()
  doc.font('Helvetica-Bold').text('Transactions', 54)
  doc.font('Helvetica').fontSize(10)
  if (s.lines.length === 0) doc.text('No transactions in this period.')
  s.lines.forEach((l, i) => {
    if (i > 0 && i % linesPerPage === 0) doc.addPage()
    const y = doc.y
    doc.text(l.date, 54, y, { width: 80 })
    doc.text(shortened(l.description), 134, y, { width: 290 })
    doc.text(money(l.amount), 424, y, { width: 130, align: 'right' })
  })
  doc.end()
  return done
}
