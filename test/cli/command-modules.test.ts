import { Command } from 'commander';
import { describe, expect, it } from 'vitest';

import { buildProgram, COMMAND_MODULES } from '../../src/cli/main.ts';

describe('command modules', () => {
  it('lists exactly the top-level commands each module defines', async () => {
    for (const module of COMMAND_MODULES) {
      const program = new Command('breachdesk');
      (await module.load())(program);
      expect(program.commands.map((c) => c.name()).sort()).toEqual([...module.commands].sort());
    }
  });

  it('loads only the named command, past the global --data-dir option', async () => {
    const argv = ['node', 'breachdesk', '--data-dir', 'list', 'ingest', 'x.json'];
    const program = await buildProgram(argv);
    expect(program.commands.map((c) => c.name()).sort()).toEqual(['ingest', 'tenants', 'tokens']);
  });

  it('loads every command for help and for words it does not know', async () => {
    const all = COMMAND_MODULES.flatMap((m) => m.commands).sort();
    for (const args of [[], ['--help'], ['no-such-command']]) {
      const program = await buildProgram(['node', 'breachdesk', ...args]);
      expect(program.commands.map((c) => c.name()).sort()).toEqual(all);
    }
  });
});
