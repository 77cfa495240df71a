// The command table. Options shared by every command that talks to Elasticsearch are added by esOptions().
import type { Command } from 'commander';
import { registerEs } from './es';
import { registerSetup } from './setup';
import { registerParse } from './parse';
import { registerUp } from './up';
import { registerShip } from './ship';
import { registerDetect } from './detect';
import { registerConsole } from './console';

export function registerCommands(program: Command): void {
  registerUp(program);
  registerParse(program);
  registerShip(program);
  registerSetup(program);
  registerDetect(program);
  registerConsole(program);
  registerEs(program);
}
