// The plans a keyed session (connectKeyed) keeps, read back from PostgreSQL: every statement it has
// prepared (pg_prepared_statements) with the plan it runs on (EXPLAIN EXECUTE, which on a session
// that forces generic plans shows the one kept, whatever the values).
import type { Sql } from '../../src/platform/db.js'

export interface Scan {
  node: string
  relation: string
  /** The index read (a bitmap heap scan's: the indexes its bitmap is made from, comma-separated). */
  index?: string
  /** The index condition (a bitmap heap scan's recheck condition), as EXPLAIN prints it. */
  cond?: string
}

export interface KeptPlan {
  statement: string
  genericPlans: number
  customPlans: number
  scans: Scan[]
  /** How many function scans the plan has (unnest in FROM is one, copying its arrays into tuplestores first). */
  functionScans: number
}

interface PlanNode { 'Node Type': string; 'Relation Name'?: string; 'Index Name'?: string; 'Index Cond'?: string; 'Recheck Cond'?: string; Plans?: PlanNode[] }

function functionScansOf(node: PlanNode): number {
  return (node['Node Type'] === 'Function Scan' ? 1 : 0) + (node.Plans ?? []).reduce((n, child) => n + functionScansOf(child), 0)
}

/** The indexes a bitmap heap scan's bitmap is made from (its Bitmap Index Scans, under any BitmapAnd or BitmapOr). */
function bitmapIndexes(node: PlanNode): string[] {
  if (node['Node Type'] === 'Bitmap Index Scan') return node['Index Name'] ? [node['Index Name']] : []
  return (node.Plans ?? []).flatMap(bitmapIndexes)
}

function scansOf(node: PlanNode, out: Scan[] = []): Scan[] {
  if (node['Relation Name'] && node['Node Type'] !== 'ModifyTable') {
    const index = node['Node Type'] === 'Bitmap Heap Scan' ? bitmapIndexes(node).join(', ') || undefined : node['Index Name']
    out.push({ node: node['Node Type'], relation: node['Relation Name'], index, cond: node['Index Cond'] ?? node['Recheck Cond'] })
  }
  for (const child of node.Plans ?? []) scansOf(child, out)
  return out
}

/**
 * Each statement prepared on `session` (a pool of one), with the tables its kept plan reads and how;
 * utility statements (begin, commit, discard plans), which have no plan, are left out. Each value is
 * null, or `values`' SQL literal for its type (as pg_prepared_statements names it: `timestamp with time zone`): a session that plans for the values given (custom
 * plans) shows the plan for those.
 */
export async function keptPlans(session: Sql, values?: Readonly<Record<string, string>>): Promise<KeptPlan[]> {
  const conn = await session.reserve()
  try {
    const prepared = await conn<{ name: string; statement: string; parameter_types: string[]; generic_plans: number; custom_plans: number }[]>`
      select name, statement, parameter_types::text[] as parameter_types, generic_plans::int, custom_plans::int from pg_prepared_statements`
    const plans: KeptPlan[] = []
    for (const p of prepared) {
      const args = p.parameter_types.map((t) => `${values?.[t] ?? 'null'}::${t}`).join(', ')
      const [row] = await conn.unsafe(`explain (format json) execute "${p.name}"${args ? `(${args})` : ''}`)
      // A utility statement (begin, commit, discard plans) has no plan: "Utility Statement".
      const plan = (row['QUERY PLAN'] as ({ Plan: PlanNode } | string)[])[0]
      if (typeof plan === 'string') continue
      plans.push({ statement: p.statement, genericPlans: p.generic_plans, customPlans: p.custom_plans, scans: scansOf(plan.Plan), functionScans: functionScansOf(plan.Plan) })
    }
    return plans
  } finally {
    conn.release()
  }
}
