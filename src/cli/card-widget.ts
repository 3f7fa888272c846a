// The origins allowed to embed a workspace's card widget pages in an iframe (CSP frame-ancestors).
// With none set, the pages cannot be framed at all.
import { parseArgs } from 'node:util'
import { findWorkspace } from '../platform/workspaces.js'
import { setWidgetOrigins } from '../cards/widget/workspace.js'
import { widgetOrigins } from '../cards/store.js'
import { commonOptions, configFrom, UsageError, withDatabase, type Command } from './common.js'

export const cardWidget: Command = {
  usage: [
    'keel card-widget origins --workspace NAME|ID [--data-dir DIR]                      list the origins that may frame the card widget',
    'keel card-widget origins --workspace NAME|ID --set https://app.example[,https://…]  replace them (--set "" clears)',
  ],
  async run([sub, ...args]) {
    const { values } = parseArgs({ args, options: { ...commonOptions, workspace: { type: 'string' }, set: { type: 'string' } } })
    if (sub !== 'origins') throw new UsageError(`unknown card-widget command: ${sub ?? '(none)'}`)
    const name = values.workspace
    if (!name) throw new UsageError('keel card-widget origins --workspace NAME|ID')
    const out = await withDatabase(configFrom(values), async (db) => {
      const found = await findWorkspace(db.sql, name)
      if (!found) return undefined
      if (values.set === undefined) return widgetOrigins(db.sql, found.id)
      return db.sql.begin((tx) => setWidgetOrigins(tx, found.id, values.set!.split(',').map((s) => s.trim()).filter(Boolean)))
    })
    if (!out) { process.stderr.write(`no workspace ${name}\n`); return 1 }
    process.stdout.write(out.length ? out.join('\n') + '\n' : 'no origins: the card widget cannot be framed\n')
    return 0
  },
}
