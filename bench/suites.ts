/**
 * The benchmark suites, in the order `npm run bench` runs them.
 */
import { checkSuite } from "./check";
import { criticalPathSuite } from "./criticalPath";
import { evaluateSuite } from "./evaluate";
import { Suite } from "./harness";
import { policiesSuite } from "./policies";
import { userDataSuite } from "./userData";

export const SUITES: readonly Suite[] = [evaluateSuite, checkSuite, policiesSuite, userDataSuite, criticalPathSuite];
