// The swarm plugin's panel: the `swarm` view — the team's swarms with their live workers, a swarm's hot
// files (pheromone trails scored by type) and its blackboard; leads post to the blackboard.
import { SwarmView } from './swarm-view.js';

export const views = [{ id: 'swarm', title: 'Swarm', order: 60, component: SwarmView }];
