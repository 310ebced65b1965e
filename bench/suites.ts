/**
 * The benchmark suites, in the order `npm run bench` runs them.
 */
import { checkSuite } from "./check";
import { criticalPathSuite } from "./criticalPath";
import { evaluateSuite } from "./evaluate";
import { Suite } from "./harness";
import { userDataSuite } from "./userData";

export const SUITES: readonly Suite[] = [evaluateSuite, checkSuite, userDataSuite, criticalPathSuite];
