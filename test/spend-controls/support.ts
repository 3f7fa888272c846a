// What the spend-control tests share.
import assert from 'node:assert/strict'

/** An answer refusing a payment for a spend control: 422 SPEND_CONTROL_VIOLATION. */
export function refused(res: { status: number; body: any }): void {
  assert.equal(res.status, 422, JSON.stringify(res.body))
  assert.equal(res.body.code, 'SPEND_CONTROL_VIOLATION')
}
