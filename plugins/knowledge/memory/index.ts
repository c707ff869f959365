export { memoryErrors } from './errors.js';
export { MEMORY_LIMITS } from './fields.js';
export { MemoryService } from './memory-service.js';
export type { MemoryEntry, MemoryHit, MemoryVersion, MemoryVisibility, MemoryWriter } from './memory-service.js';
export { memoryOperations } from './operations-memory.js';
export { memoryTables, type MemoryTables } from './tables.js';
