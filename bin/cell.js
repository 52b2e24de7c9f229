#!/usr/bin/env node
// The `cell` command. Host code is TypeScript run through tsx, so there is no separate compile step.
import { register } from 'tsx/esm/api';
register();
await import('../host/cli/main.ts');
