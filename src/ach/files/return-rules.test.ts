// The return rules as tables, in their precedence: each row changes one fact from an entry Keel
// would accept a return of (or a dishonor it would accept), and names the decision expected.
import assert from 'node:assert/strict'
import { it } from 'node:test'
import { formatFieldErrors, judgeDishonor, judgeReturn, namedFieldErrors, returnDeadlinePassed, type DishonorFacts, type EntryFields, type ReturnFacts } from './return-rules.js'

// Settled Wednesday 2031-06-04; Thursday is 1 banking day after, Friday 2, Monday 3.
const settledOn = '2031-06-04'
const fields: EntryFields = { accountNo: '1234567', amount: 1_000n, identificationNumber: '0190ABCDEF12345', transactionCode: '21', companyId: '1084106768' }
const entry = { sent: true, returned: false, declined: false, settledOn, fields }
const good: ReturnFacts = { code: 'R01', traceIsOurs: true, original: entry, fields, today: '2031-06-06' }
const returned = (change: Partial<EntryFields>): Partial<ReturnFacts> => ({ fields: { ...fields, ...change } })

it('judges returns of Keel\'s entries in precedence order', () => {
  const table: [string, Partial<ReturnFacts>, string][] = [
    ['timely R01', {}, 'accept'],
    ['R10 on day 50 (60 days)', { code: 'R10', today: '2031-07-24' }, 'accept'],
    ['a dishonored code is not a return', { code: 'R68' }, 'error'],
    ['unknown code', { code: 'R99' }, 'error'],
    ['another ODFI\'s trace', { traceIsOurs: false }, 'dishonor R61'],
    ['misrouted wins over late', { traceIsOurs: false, today: '2031-07-01' }, 'dishonor R61'],
    ['no such entry', { original: undefined }, 'dishonor R69 02'],
    ['entry not yet sent', { original: { ...entry, sent: false } }, 'dishonor R69 02'],
    ['returned already', { original: { ...entry, returned: true } }, 'dishonor R67'],
    ['duplicate wins over late', { original: { ...entry, returned: true }, today: '2031-07-01' }, 'dishonor R67'],
    ['declined at settlement', { original: { ...entry, declined: true } }, 'error'],
    ['R06 not requested', { code: 'R06' }, 'dishonor R70'],
    ['R31 not agreed', { code: 'R31', today: '2031-08-30' }, 'dishonor R70'],
    ['R01 three banking days late', { today: '2031-06-09' }, 'dishonor R68'],
    ['late wins over a field error', { today: '2031-06-09', ...returned({ amount: 999n }) }, 'dishonor R68'],
    ['R10 after 60 days', { code: 'R10', today: '2031-08-04' }, 'dishonor R68'],
    ['R10 on day 60', { code: 'R10', today: '2031-08-03' }, 'accept'],
    ['account number differs (01)', returned({ accountNo: '7654321' }), 'dishonor R69 01'],
    ['amount differs (03)', returned({ amount: 999n }), 'dishonor R69 03'],
    ['identification number differs (04)', returned({ identificationNumber: 'SOMEONE ELSE' }), 'dishonor R69 04'],
    ['transaction code differs (05)', returned({ transactionCode: '26' }), 'dishonor R69 05'],
    ['company identification differs (06)', returned({ companyId: '9999999999' }), 'dishonor R69 06'],
    ['several differ, asterisk-separated', returned({ amount: 5n, accountNo: '1', companyId: 'X' }), 'dishonor R69 01*03*06'],
    ['padding is not a difference', returned({ accountNo: '1234567   ', identificationNumber: '0190ABCDEF12345 ', transactionCode: '021' }), 'accept'],
  ]
  for (const [name, change, expected] of table) {
    const j = judgeReturn({ ...good, ...change })
    const got = j.action === 'dishonor' ? ['dishonor', j.code, j.fieldErrors].filter(Boolean).join(' ') : j.action
    assert.equal(got, expected, name)
    if (j.action !== 'accept') assert.ok(j.reason.length > 0, name)
  }
})

// Keel's return settled Wednesday 2031-06-04 (5 banking days: through Wednesday 2031-06-11).
const allRight = { '01': true, '02': true, '03': true, '04': true, '05': true, '06': true }
const ours = { returnCode: 'R03', settledOn, fromItsReceiver: true, timely: true, returnsOfEntry: 1, fieldsRight: allRight, debit: false, recoverable: true, relatedCreditReturned: false }
const dishonor: DishonorFacts = { code: 'R68', fieldErrors: '', ours, today: '2031-06-06' }
const wrongIn = (...codes: string[]): Partial<DishonorFacts> => ({ ours: { ...ours, fieldsRight: { ...allRight, ...Object.fromEntries(codes.map((c) => [c, false])) } } })

it('judges dishonored returns of Keel\'s returns in precedence order', () => {
  const table: [string, Partial<DishonorFacts>, string][] = [
    ['no return of Keel\'s', { ours: undefined }, 'contest R71'],
    ['from another bank than Keel returned to', { code: 'R61', ours: { ...ours, fromItsReceiver: false } }, 'contest R71'],
    ['after 5 banking days', { today: '2031-06-12' }, 'contest R72'],
    ['on the 5th banking day', { code: 'R61', today: '2031-06-11' }, 'accept'],
    ['R68 of a timely return', {}, 'contest R73'],
    ['R68 of a late return', { ours: { ...ours, timely: false } }, 'accept'],
    ['R67 of the only return', { code: 'R67' }, 'contest R75'],
    ['R67 of a second return', { code: 'R67', ours: { ...ours, returnsOfEntry: 2 } }, 'accept'],
    ['R69 naming right fields', { code: 'R69', fieldErrors: '01*03' }, 'contest R76'],
    ['R69 naming every field, all right', { code: 'R69', fieldErrors: '01*02*03*04*05*06' }, 'contest R76'],
    ['R69 naming none', { code: 'R69', fieldErrors: '' }, 'contest R76'],
    ['R69 naming a code NACHA does not define', { code: 'R69', fieldErrors: '07' }, 'contest R76'],
    ['R69 naming a wrong amount (03)', { code: 'R69', fieldErrors: '03', ...wrongIn('03') }, 'accept'],
    ['R69: a wrong amount among others', { code: 'R69', fieldErrors: '01*03', ...wrongIn('01', '03') }, 'accept'],
    ['R69 naming a wrong account number (01)', { code: 'R69', fieldErrors: '01', ...wrongIn('01') }, 'contest R74 01'],
    ['R69 naming a wrong trace (02)', { code: 'R69', fieldErrors: '02', ...wrongIn('02') }, 'contest R74 02'],
    ['R69 naming a wrong identification number (04)', { code: 'R69', fieldErrors: '04', ...wrongIn('04') }, 'contest R74 04'],
    ['R69 naming a wrong transaction code (05)', { code: 'R69', fieldErrors: '05', ...wrongIn('05') }, 'contest R74 05'],
    ['R69 naming a wrong company identification (06)', { code: 'R69', fieldErrors: '06', ...wrongIn('06') }, 'contest R74 06'],
    ['R69 naming right and wrong fields: corrects the wrong', { code: 'R69', fieldErrors: '0104', ...wrongIn('04') }, 'contest R74 04'],
    ['R69: a wrong field it does not name is not corrected', { code: 'R69', fieldErrors: '01', ...wrongIn('06') }, 'contest R76'],
    ['R70 of an R03', { code: 'R70' }, 'contest R76'],
    ['R70 of an R06', { code: 'R70', ours: { ...ours, returnCode: 'R06' } }, 'accept'],
    ['R61', { code: 'R61' }, 'accept'],
    ['R62 of a return of a credit', { code: 'R62', ours: { ...ours, recoverable: false } }, 'accept'],
    ['R62 of a debit the account can pay', { code: 'R62', ours: { ...ours, debit: true } }, 'accept'],
    ['R62 of a debit the account cannot pay', { code: 'R62', ours: { ...ours, debit: true, recoverable: false } }, 'contest R77'],
    ['R62 of a debit whose erroneous credit Keel returned too', { code: 'R62', ours: { ...ours, debit: true, relatedCreditReturned: true } }, 'contest R77'],
    ['untimely wins over R77', { code: 'R62', today: '2031-06-12', ours: { ...ours, debit: true, recoverable: false } }, 'contest R72'],
    ['untimely wins over R73', { today: '2031-07-01' }, 'contest R72'],
  ]
  for (const [name, change, expected] of table) {
    const j = judgeDishonor({ ...dishonor, ...change })
    assert.equal(j.action === 'contest' ? ['contest', j.code, j.corrected?.join('*')].filter(Boolean).join(' ') : j.action, expected, name)
  }
})

it('reads and writes R69 field error codes as NACHA does', () => {
  assert.deepEqual(namedFieldErrors('01*03*06'), ['01', '03', '06'])
  assert.deepEqual(namedFieldErrors('0103'), ['01', '03'])
  assert.deepEqual(namedFieldErrors('07*99*04'), ['04'])
  assert.equal(formatFieldErrors(['01', '03', '06']), '01*03*06')
})

it('counts deadlines on the Fed calendar', () => {
  assert.equal(returnDeadlinePassed('R01', '2031-06-04', '2031-06-06'), undefined)
  assert.match(returnDeadlinePassed('R01', '2031-06-04', '2031-06-09')!, /2 banking days/)
  // Settled Friday 23 May 2031; Monday 26 is Memorial Day: Tuesday is 1 banking day after, Wednesday 2.
  assert.equal(returnDeadlinePassed('R01', '2031-05-23', '2031-05-28'), undefined)
  assert.match(returnDeadlinePassed('R01', '2031-05-23', '2031-05-29')!, /2 banking days/)
  assert.equal(returnDeadlinePassed('R06', '2031-01-01', '2031-12-31'), undefined, 'by agreement: no deadline')
  assert.match(returnDeadlinePassed('R99', settledOn, settledOn)!, /not a NACHA return reason code/)
})
