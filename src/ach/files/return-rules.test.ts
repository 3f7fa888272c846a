// The return rules as tables, in their precedence: each row changes one fact from an entry Keel
// would accept a return of (or a dishonor it would accept), and names the decision expected.
import assert from 'node:assert/strict'
import { it } from 'node:test'
import { judgeDishonor, judgeReturn, returnDeadlinePassed, type DishonorFacts, type ReturnFacts } from './return-rules.js'

// Settled Wednesday 2031-06-04; Thursday is 1 banking day after, Friday 2, Monday 3.
const settledOn = '2031-06-04'
const entry = { sent: true, returned: false, declined: false, amount: 1_000n, accountNo: '1234567', settledOn }
const good: ReturnFacts = { code: 'R01', traceIsOurs: true, original: entry, amount: 1_000n, accountNo: '1234567', today: '2031-06-06' }

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
    ['R10 after 60 days', { code: 'R10', today: '2031-08-04' }, 'dishonor R68'],
    ['R10 on day 60', { code: 'R10', today: '2031-08-03' }, 'accept'],
    ['amount differs', { amount: 999n }, 'dishonor R69 03'],
    ['account differs', { accountNo: '7654321' }, 'dishonor R69 01'],
    ['both differ', { amount: 5n, accountNo: '1' }, 'dishonor R69 0103'],
  ]
  for (const [name, change, expected] of table) {
    const j = judgeReturn({ ...good, ...change })
    const got = j.action === 'dishonor' ? ['dishonor', j.code, j.fieldErrors].filter(Boolean).join(' ') : j.action
    assert.equal(got, expected, name)
    if (j.action !== 'accept') assert.ok(j.reason.length > 0, name)
  }
})

// Keel's return settled Wednesday 2031-06-04 (5 banking days: through Wednesday 2031-06-11).
const ours = { returnCode: 'R03', settledOn, timely: true, returnsOfEntry: 1, fieldsRight: { '01': true, '02': true, '03': true } }
const dishonor: DishonorFacts = { code: 'R68', fieldErrors: '', ours, today: '2031-06-06' }

it('judges dishonored returns of Keel\'s returns in precedence order', () => {
  const table: [string, Partial<DishonorFacts>, string][] = [
    ['no return of Keel\'s', { ours: undefined }, 'contest R71'],
    ['after 5 banking days', { today: '2031-06-12' }, 'contest R72'],
    ['on the 5th banking day', { code: 'R61', today: '2031-06-11' }, 'accept'],
    ['R68 of a timely return', {}, 'contest R73'],
    ['R68 of a late return', { ours: { ...ours, timely: false } }, 'accept'],
    ['R67 of the only return', { code: 'R67' }, 'contest R75'],
    ['R67 of a second return', { code: 'R67', ours: { ...ours, returnsOfEntry: 2 } }, 'accept'],
    ['R69 naming right fields', { code: 'R69', fieldErrors: '0103' }, 'contest R76'],
    ['R69 naming a wrong field', { code: 'R69', fieldErrors: '03', ours: { ...ours, fieldsRight: { ...ours.fieldsRight, '03': false } } }, 'accept'],
    ['R69 naming a field Keel cannot check', { code: 'R69', fieldErrors: '07' }, 'accept'],
    ['R69 naming none', { code: 'R69', fieldErrors: '' }, 'contest R76'],
    ['R70 of an R03', { code: 'R70' }, 'contest R76'],
    ['R70 of an R06', { code: 'R70', ours: { ...ours, returnCode: 'R06' } }, 'accept'],
    ['R61', { code: 'R61' }, 'accept'],
    ['R62', { code: 'R62' }, 'accept'],
    ['untimely wins over R73', { today: '2031-07-01' }, 'contest R72'],
  ]
  for (const [name, change, expected] of table) {
    const j = judgeDishonor({ ...dishonor, ...change })
    assert.equal(j.action === 'contest' ? `contest ${j.code}` : j.action, expected, name)
  }
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
