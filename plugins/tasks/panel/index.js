// The tasks plugin's panel: the `tasks` board (by status, with blockers and owners; leads create,
// assign and resolve), live over task_created / task_updated / task_resolved.
import { TasksView } from './board.js';

export const views = [{ id: 'tasks', title: 'Tasks', order: 30, component: TasksView }];
