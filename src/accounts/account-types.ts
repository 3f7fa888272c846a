// The spec describes an account as one of five shapes, by account_type: depository (CHECKING and
// SAVING), charge secured, charge unsecured, line of credit and general ledger. Its `account` and
// `patch_account` schemas are unions without a discriminator, so a body passes if it fits any
// shape; Keel applies the shape of the account's actual type (the mapping the spec gives for
// templates' `template_fields`), keeps only what that shape declares, and validates it.

import type { Static } from 'typebox'
import { bodyError, compileBody } from '../platform/validation.js'
import {
  account_charge_secured, account_charge_unsecured, account_depository, account_general_ledger, account_line_of_credit,
  patch_account_charge_secured, patch_account_charge_unsecured, patch_account_depository, patch_account_general_ledger,
  patch_account_line_of_credit, type account_type,
  template_fields_charge_secured, template_fields_charge_unsecured, template_fields_depository, template_fields_general_ledger,
  template_fields_line_of_credit,
} from '../spec/schemas.js'
import type { Schema } from './declared.js'
import type { ValidateFunction } from 'ajv'

export type AccountType = Static<typeof account_type>

export interface AccountShape {
  /** The account as created (POST) or replaced (PUT). */
  account: Schema
  /** The fields a PATCH may change. */
  patch: Schema
  /** A template's terms for this type. */
  template: Schema
}

const depository: AccountShape = { account: account_depository, patch: patch_account_depository, template: template_fields_depository }

export const accountShapes: Readonly<Record<AccountType, AccountShape>> = {
  CHECKING: depository,
  SAVING: depository,
  CHARGE_SECURED: { account: account_charge_secured, patch: patch_account_charge_secured, template: template_fields_charge_secured },
  CHARGE_UNSECURED: { account: account_charge_unsecured, patch: patch_account_charge_unsecured, template: template_fields_charge_unsecured },
  LINE_OF_CREDIT: { account: account_line_of_credit, patch: patch_account_line_of_credit, template: template_fields_line_of_credit },
  GENERAL_LEDGER: { account: account_general_ledger, patch: patch_account_general_ledger, template: template_fields_general_ledger },
}

export const isAccountType = (v: unknown): v is AccountType => typeof v === 'string' && Object.hasOwn(accountShapes, v)

const validators = new Map<Schema, ValidateFunction>()

/**
 * Validates a body against one shape (undeclared fields pass: they are ignored, not refused).
 * `at` prefixes the fields named in the problem (e.g. `template.`).
 */
export function checkShape(schema: Schema, body: unknown, at = ''): void {
  let validate = validators.get(schema)
  if (!validate) validators.set(schema, (validate = compileBody(schema)))
  if (!validate(body)) {
    const errors = (validate.errors ?? []).map((e) => ({ ...e, instancePath: at ? `/${at.replace(/\.$/, '')}${e.instancePath}` : e.instancePath }))
    throw bodyError(errors)
  }
}
