export { LmshService } from './lmsh-service.js';
export { toolOperations } from './operations-tools.js';
export { lmshTables, type LmshTables } from './tables.js';
export { toolsErrors } from './errors.js';
export { lmshMigration } from '../migrations/0004-lmsh.js';
