import type { Command } from 'commander';

/** What each module of commands exports: adds its commands to the program. */
export type Registrar = (program: Command) => void;
