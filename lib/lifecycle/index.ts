export { runMain, stopAll, type Stoppable } from './runMain';
