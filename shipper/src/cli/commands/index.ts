// The command table. Options shared by every command that talks to Elasticsearch are added by esOptions().
import type { Command } from 'commander';
import { registerEs } from './es';

export function registerCommands(program: Command): void {
  registerEs(program);
}
