export { tldrErrors } from './errors.js';
export { TLDR_LIMITS } from './fields.js';
export { tldrOperations } from './operations-tldr.js';
export { GRAPH_LIMITS, TldrService } from './tldr-service.js';
export type { Edge, FileSummary, Graph, Overview, TldrHit } from './tldr-service.js';
export { tldrTables, type TldrTables } from './tables.js';
