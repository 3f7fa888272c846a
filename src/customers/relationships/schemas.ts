import {
  business_business_owner_relationship, patch_business_business_owner_relationship, patch_payer_payee_relationship,
  patch_person_business_owner_relationship, patch_person_business_relationship, payer_payee_relationship,
  person_business_owner_relationship, person_business_relationship, relationship_types,
} from '../../spec/schemas.js'
import { propertiesOf, type Properties } from '../request-fields.js'
import type { RelationshipType } from './rules.js'

// The spec's relationship bodies are oneOfs keyed by relationship_type (its discriminator) whose
// branches overlap; checked as a plain union, a body passes if it fits *any* branch, and a bad
// one is told about every branch's missing fields. These schemas apply the discriminator's
// mapping instead: the branch relationship_type names, and only it.

function byRelationshipType(mapping: Record<RelationshipType, object>): object {
  return {
    type: 'object',
    required: ['relationship_type'],
    properties: { relationship_type: relationship_types },
    allOf: Object.entries(mapping).map(([type, branch]) => ({
      if: { type: 'object', required: ['relationship_type'], properties: { relationship_type: { const: type } } },
      then: branch,
    })),
  }
}

export const relationshipCreateBody = byRelationshipType({
  BENEFICIAL_OWNER_OF: person_business_owner_relationship,
  MANAGING_PERSON_OF: person_business_relationship,
  OWNER_OF: business_business_owner_relationship,
  PAYER_PAYEE: payer_payee_relationship,
})

export const relationshipPatchBody = byRelationshipType({
  BENEFICIAL_OWNER_OF: patch_person_business_owner_relationship,
  MANAGING_PERSON_OF: patch_person_business_relationship,
  OWNER_OF: patch_business_business_owner_relationship,
  PAYER_PAYEE: patch_payer_payee_relationship,
})

/** The fields each type's body may carry (the spec's schemas allow any others, which Keel refuses). */
export const relationshipProperties: Record<RelationshipType, Properties> = {
  BENEFICIAL_OWNER_OF: propertiesOf(patch_person_business_owner_relationship),
  MANAGING_PERSON_OF: propertiesOf(patch_person_business_relationship),
  OWNER_OF: propertiesOf(patch_business_business_owner_relationship),
  PAYER_PAYEE: propertiesOf(patch_payer_payee_relationship),
}
