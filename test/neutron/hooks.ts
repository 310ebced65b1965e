/**
 * Root hooks of the Neutron suite (loaded with --require by .mocharc.neutron.json): one
 * Neutron server for the whole suite, started before the first test with the operator's
 * resources seeded, and stopped after the last one, also when tests fail.
 */
import { NeutronClient } from "./client";
import { seedOperatorResources, Seeded } from "./seed";
import { NeutronServer, startNeutron } from "./server";

/** The suite's server, its client and the operator's resources. */
export interface SuiteNeutron {
    readonly server: NeutronServer;
    readonly client: NeutronClient;
    readonly seeded: Seeded;
}

let current: SuiteNeutron | undefined;

/** The running Neutron of the suite (available in tests and in `before` hooks). */
export function suiteNeutron(): SuiteNeutron {
    if (current === undefined) throw new Error("The Neutron server is not running: the suite's root hook did not start it (see above).");
    return current;
}

export const mochaHooks = {
    async beforeAll(this: Mocha.Context): Promise<void> {
        // Installing the package (first run on a fresh machine) and the first start take a while.
        this.timeout(15 * 60_000);
        const server = await startNeutron();
        try {
            const client = new NeutronClient(server.url);
            current = { server, client, seeded: await seedOperatorResources(client) };
        } catch (e) {
            await server.stop();
            throw e;
        }
    },
    async afterAll(): Promise<void> {
        await current?.server.stop();
        current = undefined;
    },
};
