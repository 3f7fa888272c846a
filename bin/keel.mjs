#!/usr/bin/env node
// The keel command runs the TypeScript sources directly through tsx: no build step after install.
import { register } from 'tsx/esm/api'

register()
await import('../src/cli/main.ts')
