import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { VerificationResult } from './provider.js'
import { kycStatusOf, relatedEntitiesResult, verificationStatusOf, type CurrentResult, type KycStatus, type VerificationStatus } from './rollup.js'

const r = (verification_type: string, result: VerificationResult): CurrentResult => ({ verification_type, result })

describe('roll-up: which result wins', () => {
  const table: Array<[string, CurrentResult[], VerificationStatus, KycStatus]> = [
    ['no results', [], 'UNVERIFIED', 'UNVERIFIED'],
    ['all accepted', [r('IDENTITY', 'ACCEPTED'), r('WATCHLIST', 'ACCEPTED')], 'ACCEPTED', 'ACCEPTED'],
    ['a watchlist review', [r('IDENTITY', 'ACCEPTED'), r('WATCHLIST', 'REVIEW')], 'REVIEW', 'REVIEW'],
    ['rejected beats review', [r('IDENTITY', 'REVIEW'), r('WATCHLIST', 'REJECTED')], 'REJECTED', 'REJECTED'],
    ['review beats a vendor error', [r('IDENTITY', 'VENDOR_ERROR'), r('WATCHLIST', 'REVIEW')], 'REVIEW', 'REVIEW'],
    ['a vendor error verifies nothing', [r('IDENTITY', 'VENDOR_ERROR'), r('WATCHLIST', 'ACCEPTED')], 'UNVERIFIED', 'PROVIDER_FAILURE'],
    ['pending beats provisional', [r('IDENTITY', 'PROVISIONAL'), r('WATCHLIST', 'PENDING')], 'PENDING', 'PENDING'],
    ['provisional beats accepted', [r('IDENTITY', 'PROVISIONAL'), r('WATCHLIST', 'ACCEPTED')], 'PROVISIONAL', 'PROVISIONAL'],
    ['an unverified check keeps a party from accepted', [r('IDENTITY', 'ACCEPTED'), r('WATCHLIST', 'UNVERIFIED')], 'UNVERIFIED', 'UNVERIFIED'],
    ['a related party in review', [r('IDENTITY', 'ACCEPTED'), r('WATCHLIST', 'ACCEPTED'), r('RELATED_ENTITIES', 'REVIEW')], 'REVIEW', 'REVIEW'],
    ['manual review accepts over a rejection', [r('IDENTITY', 'REJECTED'), r('MANUAL_REVIEW', 'ACCEPTED')], 'ACCEPTED', 'ACCEPTED'],
    ['manual review rejects over acceptance', [r('IDENTITY', 'ACCEPTED'), r('WATCHLIST', 'ACCEPTED'), r('MANUAL_REVIEW', 'REJECTED')], 'REJECTED', 'REJECTED'],
  ]
  for (const [label, current, status, kyc] of table) {
    it(label, () => {
      assert.equal(verificationStatusOf(current), status)
      assert.equal(kycStatusOf(current), kyc)
    })
  }
})

describe('roll-up: related entities', () => {
  const table: Array<[KycStatus[], VerificationResult]> = [
    [[], 'ACCEPTED'],
    [['ACCEPTED', 'ACCEPTED'], 'ACCEPTED'],
    [['ACCEPTED', 'REVIEW'], 'REVIEW'],
    [['REVIEW', 'REJECTED'], 'REJECTED'],
    [['ACCEPTED', 'PROVIDER_FAILURE'], 'VENDOR_ERROR'],
    [['ACCEPTED', 'UNVERIFIED'], 'UNVERIFIED'],
  ]
  for (const [owners, expected] of table) it(`${JSON.stringify(owners)} → ${expected}`, () => assert.equal(relatedEntitiesResult(owners), expected))
})
