import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { SettingError } from '../platform/config.js'
import { plaidFailureOf, plaidSettingsFrom } from './plaid-client.js'

describe('Plaid settings', () => {
  it('uses the built-in sandbox with no Plaid variables, real Plaid with all three', () => {
    assert.deepEqual(plaidSettingsFrom({}), { mode: 'builtin', clientId: 'keel', secret: 'keel-sandbox' })
    assert.deepEqual(plaidSettingsFrom({ PLAID_CLIENT_ID: 'id', PLAID_SECRET: 's', PLAID_ENV: 'sandbox' }), { mode: 'plaid', clientId: 'id', secret: 's', env: 'sandbox', basePath: 'https://sandbox.plaid.com' })
    assert.equal(plaidSettingsFrom({ PLAID_CLIENT_ID: 'id', PLAID_SECRET: 's', PLAID_ENV: 'production' }).mode, 'plaid')
  })

  it('refuses a partial or unknown configuration rather than guessing, as a wrong setting (said without a stack)', () => {
    assert.throws(() => plaidSettingsFrom({ PLAID_CLIENT_ID: 'id' }), (err) => err instanceof SettingError && /together/.test(err.message))
    assert.throws(() => plaidSettingsFrom({ PLAID_CLIENT_ID: 'id', PLAID_SECRET: 's' }), /together/)
    assert.throws(() => plaidSettingsFrom({ PLAID_CLIENT_ID: 'id', PLAID_SECRET: 's', PLAID_ENV: 'development' }), /sandbox or production/)
  })

  it('reads Plaid\'s error body, and turns a failure to reach Plaid into VENDOR_TIMEOUT', () => {
    const err = { response: { data: { error_type: 'ITEM_ERROR', error_code: 'ITEM_LOGIN_REQUIRED', error_message: 'm', display_message: 'd', request_id: 'r' } } }
    assert.deepEqual(plaidFailureOf(err), { error_type: 'ITEM_ERROR', error_code: 'ITEM_LOGIN_REQUIRED', error_message: 'm', display_message: 'd', request_id: 'r' })
    assert.throws(() => plaidFailureOf(new Error('connect ECONNREFUSED')), (e: any) => e.code === 'VENDOR_TIMEOUT' && /ECONNREFUSED/.test(e.message))
  })
})
