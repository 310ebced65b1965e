/**
 * examples/ci/pull-request.yml, the pull-request workflow of the docs: valid YAML with the
 * documented steps, and every `dualstack` command in it runs against this repository's
 * stacks, for every stack of its matrix, with the exit code the workflow expects.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { runCli } from "./support/cli";
import { restoreSuiteCloud } from "./support/offline";

interface Step {
    name?: string;
    uses?: string;
    run?: string;
    with?: Record<string, unknown>;
}
interface Workflow {
    on: { pull_request: unknown };
    permissions: Record<string, string>;
    jobs: { plan: { strategy: { matrix: { stack: string[] } }; steps: Step[] } };
}

const workflow = parse(fs.readFileSync(path.join(__dirname, "..", "examples", "ci", "pull-request.yml"), "utf8")) as Workflow;
const job = workflow.jobs.plan;

/** The `dualstack` commands of the run steps for one stack, as argument lists (redirections dropped). */
function dualstackCommands(stack: string): string[][] {
    return job.steps
        .flatMap((step) => (step.run ?? "").split("\n"))
        .map((line) => line.trim())
        .filter((line) => line.startsWith("npx dualstack "))
        .map((line) => line.replace(/\$\{\{ matrix\.stack \}\}/g, stack).replace(/\s*>.*$/, "").split(/\s+/).slice(2));
}

describe("examples/ci: the pull-request workflow", function () {
    this.timeout(300_000);
    // `plan` runs the program under a runtime of its own; the next tests need the suite's.
    after(() => restoreSuiteCloud());

    it("runs on pull requests, may comment, installs on Node.js 22, and previews with the policy pack", () => {
        assert.ok(workflow.on.pull_request);
        assert.strictEqual(workflow.permissions["pull-requests"], "write");
        const setup = job.steps.find((s) => s.uses?.startsWith("actions/setup-node@"));
        assert.strictEqual(setup?.with?.["node-version"], 22);
        const preview = job.steps.find((s) => s.uses?.startsWith("pulumi/actions@"));
        assert.deepStrictEqual([preview?.with?.command, preview?.with?.policyPacks, preview?.with?.policyPackConfigs], ["preview", "policies", "policies/config.json"]);
        assert.ok(fs.existsSync(path.join(__dirname, "..", String(preview?.with?.policyPackConfigs))));
        assert.ok(job.steps.some((s) => (s.run ?? "").includes("gh pr comment") && (s.run ?? "").includes("--body-file")));
    });

    it("every dualstack command in it passes for every stack of the matrix, the plan as Markdown", async () => {
        const stacks = job.strategy.matrix.stack;
        assert.deepStrictEqual(stacks, ["dev", "staging", "prod"]);
        for (const stack of stacks) {
            const commands = dualstackCommands(stack);
            assert.deepStrictEqual(commands.map((c) => c[0]), ["check", "plan"]);
            for (const args of commands) {
                // The shell expands the glob; here, the files it would match.
                const expanded = args.flatMap((a) => (a === "stacks/*.yaml" ? fs.readdirSync("stacks").map((f) => `stacks/${f}`) : [a]));
                const result = await runCli(expanded);
                assert.strictEqual(result.code, 0, `${expanded.join(" ")}: ${result.stderr}`);
                if (args[0] === "plan") assert.match(result.stdout, /^## /m);
            }
        }
    });
});
