// The Link stand-in page in real headless Chromium (Debian's /usr/bin/chromium through
// playwright-core): a person picks an institution, signs in, chooses accounts, and the opener
// receives the public token as from Plaid Link's onSuccess; bad credentials show Plaid's error.
import assert from 'node:assert/strict'
import { existsSync, mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { chromium, type Browser, type Page } from 'playwright-core'
import { createPerson } from '../support/parties.js'
import { albertaBody, startListeningHarness, type ListeningHarness } from './support.js'

const chromiumPath = '/usr/bin/chromium'
const chromiumFlags = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']
/** Where the screenshots go, for a person to look at. */
export const screenshotDir = join(tmpdir(), 'keel-link-page')
const skip = existsSync(chromiumPath) ? false : `needs Debian's chromium at ${chromiumPath} (apt-get install chromium)`

let now = new Date('2026-05-04T10:00:00.000Z')
let h: ListeningHarness
let browser: Browser

before(async () => {
  if (skip) return
  mkdirSync(screenshotDir, { recursive: true })
  h = await startListeningHarness({ now: () => now })
  browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumFlags, timeout: 30_000 })
})
after(async () => {
  await browser?.close()
  await h?.close()
})

async function linkToken(customerId: string, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await h.request('POST', '/v0/external_accounts/link_tokens', { body: { customer_id: customerId, client_name: 'Keel Demo', country_codes: ['US'], language: 'EN', type: 'DEPOSITORY', ...extra } })
  assert.equal(res.status, 201, JSON.stringify(res.body))
  return res.body.link_token
}

async function signIn(page: Page, username: string, password: string): Promise<void> {
  await page.getByRole('button', { name: 'First Platypus Bank' }).click()
  await page.getByLabel('Username').fill(username)
  await page.getByLabel('Password').fill(password)
  await page.getByRole('button', { name: 'Submit' }).click()
}

describe('the Link stand-in page', { skip }, () => {
  it('signs in, picks accounts and hands the public token to the opener, which Keel then links', async () => {
    const person = await createPerson(h, albertaBody)
    const token = await linkToken(person.id)
    const context = await browser.newContext({ viewport: { width: 520, height: 760 } })
    const opener = await context.newPage()
    // The integrator's page: it opens Link and waits for onSuccess's message.
    await opener.goto(`${h.baseUrl}/health/live`)
    await opener.evaluate(() => { (window as any).received = new Promise((resolve) => window.addEventListener('message', (e) => resolve(e.data), { once: true })) })
    const [link] = await Promise.all([context.waitForEvent('page'), opener.evaluate((url) => { window.open(url) }, `${h.baseUrl}/plaid/link?token=${token}`)])
    await link.getByRole('heading', { name: 'Select your bank' }).waitFor()
    assert.equal(await link.locator('#client-name').textContent(), 'Keel Demo')
    await link.screenshot({ path: join(screenshotDir, '1-institutions.png') })
    await signIn(link, 'user_good', 'pass_good')
    await link.getByRole('heading', { name: 'Choose accounts' }).waitFor()
    await link.getByLabel(/Plaid Saving/).check()
    await link.screenshot({ path: join(screenshotDir, '2-accounts.png') })
    await link.getByRole('button', { name: 'Continue' }).click()
    const message = await opener.evaluate(() => (window as any).received) as { type: string; public_token: string; metadata: { institution: { institution_id: string }; accounts: { id: string; mask: string }[] } }
    await link.getByRole('heading', { name: 'Success' }).waitFor()
    await link.screenshot({ path: join(screenshotDir, '3-success.png') })
    assert.equal(message.type, 'PLAID_LINK_SUCCESS')
    assert.match(message.public_token, /^public-sandbox-/)
    assert.equal(await link.locator('#public-token').textContent(), message.public_token)
    assert.equal(message.metadata.institution.institution_id, 'ins_109508')
    assert.deepEqual(message.metadata.accounts.map((a) => a.mask), ['0000', '1111'])

    // What the integrator's backend does with it: exchange, then add the accounts Link listed.
    const exchanged = await h.request('POST', '/v0/external_accounts/access_tokens', { body: { customer_id: person.id, vendor_institution_id: 'ins_109508', vendor_public_token: message.public_token } })
    assert.equal(exchanged.status, 201, JSON.stringify(exchanged.body))
    const added = await h.request('POST', '/v0/external_accounts/add_vendor_accounts', {
      body: { customer_id: person.id, customer_type: 'PERSONAL', vendor: 'PLAID', vendor_access_token: exchanged.body.vendor_access_token, verify_owner: true, vendor_account_ids: message.metadata.accounts.map((a) => a.id) },
    })
    assert.equal(added.status, 200)
    assert.deepEqual(added.body.added_accounts.map((a: any) => [a.type, a.account_identifiers.number, a.verification.status]), [['CHECKING', '0000', 'VERIFIED'], ['SAVINGS', '1111', 'VERIFIED']])
    // Only the chosen accounts belong to the item.
    const accounts = await h.plaid.accountsGet({ access_token: exchanged.body.vendor_access_token })
    assert.deepEqual(accounts.data.accounts.map((a) => a.mask), ['0000', '1111'])
    await context.close()
  })

  it('shows Plaid\'s error for bad credentials and for a locked account, and lets the person try again', async () => {
    const person = await createPerson(h)
    const page = await browser.newPage({ viewport: { width: 520, height: 760 } })
    await page.goto(`${h.baseUrl}/plaid/link?token=${await linkToken(person.id)}`)
    await signIn(page, 'user_good', 'wrong_password')
    const error = page.getByRole('alert')
    await error.waitFor()
    assert.equal(await error.textContent(), 'The provided credentials were not correct. Please try again.')
    assert.equal(await error.getAttribute('data-code'), 'INVALID_CREDENTIALS')
    await page.screenshot({ path: join(screenshotDir, '4-bad-credentials.png') })
    await page.getByLabel('Password').fill('error_ITEM_LOCKED')
    await page.getByRole('button', { name: 'Submit' }).click()
    await page.waitForFunction(() => document.getElementById('error')?.dataset.code === 'ITEM_LOCKED')
    await page.getByLabel('Password').fill('pass_good')
    await page.getByRole('button', { name: 'Submit' }).click()
    await page.getByRole('heading', { name: 'Choose accounts' }).waitFor()
    assert.equal(await page.getByRole('alert').isHidden(), true)
    await page.close()
  })

  it('redirects to the link token\'s redirect_uri with the public token', async () => {
    const person = await createPerson(h)
    const page = await browser.newPage()
    await page.goto(`${h.baseUrl}/plaid/link?token=${await linkToken(person.id, { redirect_uri: `${h.baseUrl}/health/live` })}`)
    await signIn(page, 'user_good', 'pass_good')
    await page.getByRole('button', { name: 'Continue' }).click()
    await page.waitForURL(/\/health\/live\?public_token=/)
    const url = new URL(page.url())
    assert.match(url.searchParams.get('public_token') ?? '', /^public-sandbox-/)
    assert.equal(url.searchParams.get('institution_id'), 'ins_109508')
    await page.close()
  })

  it('refuses a link token past its 4 hours', async () => {
    const person = await createPerson(h)
    const token = await linkToken(person.id)
    now = new Date(now.getTime() + 4 * 60 * 60 * 1000)
    const page = await browser.newPage({ viewport: { width: 520, height: 500 } })
    await page.goto(`${h.baseUrl}/plaid/link?token=${token}`)
    const error = page.getByRole('alert')
    await error.waitFor()
    assert.equal(await error.textContent(), 'This link has expired. Please go back to the app and try again.')
    await page.screenshot({ path: join(screenshotDir, '5-expired.png') })
    await page.close()
  })
})
