// Setting up card holders through the API, the way an integrator would.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { conformance } from '../support/conformance.js'
import type { Harness } from '../support/harness.js'
import { createTemplate } from '../support/accounts.js'
import { createPerson, createVerifiedPerson } from '../support/parties.js'

export interface Holder { person: any; account: any }

/** A verified person holding a fresh CHECKING account (PRIMARY_ACCOUNT_HOLDER). */
export async function holder(h: Harness, key?: string, options: { verified?: boolean } = {}): Promise<Holder> {
  const person = options.verified === false ? await createPerson(h, {}, key) : await createVerifiedPerson(h, {}, key)
  const template = await createTemplate(h, {}, key)
  const owner = options.verified === false ? await createVerifiedPerson(h, {}, key) : person
  const rels = [{ relationship_type: 'PRIMARY_ACCOUNT_HOLDER', customer_id: owner.id }]
  if (owner !== person) rels.push({ relationship_type: 'AUTHORIZED_USER', customer_id: person.id })
  const res = await h.request('POST', '/v0/accounts', { key, body: { account_template_id: template.id, relationships: rels } })
  assert.equal(res.status, 201, JSON.stringify(res.body))
  return { person, account: res.body }
}

export async function products(h: Harness, key?: string): Promise<Record<'virtual' | 'physical' | 'custom' | 'prepaid', any>> {
  const res = await h.request('GET', '/v0/cards/products', { key })
  assert.equal(res.status, 200, JSON.stringify(res.body))
  const byName = (n: string) => res.body.card_products.find((p: any) => p.name === n)
  return {
    virtual: byName('Keel Sandbox Virtual Debit'),
    physical: byName('Keel Sandbox Physical Debit'),
    custom: byName('Keel Sandbox Custom Image Debit'),
    prepaid: byName('Keel Sandbox Virtual Prepaid'),
  }
}

export async function issue(h: Harness, who: Holder, product: any, extra: Record<string, unknown> = {}, key?: string): Promise<any> {
  const res = await h.request('POST', '/v0/cards', { key, body: { form: product.form, type: product.card_type, card_product_id: product.id, account_id: who.account.id, customer_id: who.person.id, ...extra } })
  assert.equal(res.status, 201, JSON.stringify(res.body))
  return res.body
}

/** An EC P-256 certificate standing in for Apple's leaf certificate (base64 DER), with its private scalar. */
export interface AppleLeaf { certificate: string; privateKey: Buffer }

export function appleLeaf(): AppleLeaf {
  const dir = mkdtempSync(join(tmpdir(), 'keel-apple-'))
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', '/CN=wallet-test', '-days', '1',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.der'), '-outform', 'DER'], { stdio: 'ignore' })
    const keyDer = execFileSync('openssl', ['ec', '-in', join(dir, 'key.pem'), '-outform', 'DER'], { stdio: ['ignore', 'pipe', 'ignore'] })
    // The private scalar sits at a fixed place in the SEC1 DER of a P-256 key (after 30 77 02 01 01 04 20).
    return { certificate: readFileSync(join(dir, 'cert.der')).toString('base64'), privateKey: keyDer.subarray(7, 39) }
  } finally { rmSync(dir, { recursive: true, force: true }) }
}

/** A body for POST /v0/cards/{card_id}/digital_wallet_tokens/applepay, as a wallet app sends it. */
export const applePayBody = (leaf: AppleLeaf) => ({ certificates: [leaf.certificate], device_type: 'MOBILE_PHONE', nonce: 'bm9uY2U=', nonce_signature: 'c2lnbmF0dXJl', provisioning_app_version: '1.0' })

/** The PAN of a card, read from the database through the vault (what only the widget shows). */
export async function panOf(h: Harness, cardId: string): Promise<string> {
  const [row] = await h.sql`select p.pan_encrypted from cards c join card_pans p on p.workspace_id = c.workspace_id and p.id = c.pan_id where c.id = ${cardId}`
  return h.services.vault.decrypt(row.pan_encrypted)
}

export async function cvvOf(h: Harness, cardId: string): Promise<string> {
  const [row] = await h.sql`select cvv_encrypted from cards where id = ${cardId}`
  return h.services.vault.decrypt(row.cvv_encrypted)
}

export async function eventsOf(h: Harness, resourceId: string): Promise<{ type: string; resource: any; changed_fields: any }[]> {
  return h.sql`select type, resource, changed_fields from events where resource_id = ${resourceId} order by id` as never
}

const spec = conformance().spec

/** The property names a spec schema declares at its top level, through allOf/oneOf/anyOf and $ref. */
export function declaredKeys(name: string): Set<string> {
  const keys = new Set<string>()
  const walk = (s: any): void => {
    if (!s) return
    if (s.$ref) return walk(spec.components.schemas[s.$ref.split('/').pop()])
    for (const k of Object.keys(s.properties ?? {})) keys.add(k)
    for (const branch of [...(s.allOf ?? []), ...(s.oneOf ?? []), ...(s.anyOf ?? [])]) walk(branch)
  }
  walk(spec.components.schemas[name])
  return keys
}

/** Fails when a response carries a property its spec schema does not declare (the spec's schemas allow extras; Keel sends none). */
export function assertOnlyDeclared(name: string, body: Record<string, unknown>): void {
  const declared = declaredKeys(name)
  assert.ok(declared.size > 0, `the spec declares ${name}`)
  const extra = Object.keys(body).filter((k) => !declared.has(k))
  assert.deepEqual(extra, [], `${name} carries undeclared properties`)
}
