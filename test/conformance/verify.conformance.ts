/**
 * Conformance of what `dualstack verify` runs in the cluster: the probe pod's script passes
 * `shellcheck` as a POSIX sh script (the agnhost image's /bin/sh is BusyBox ash).
 *
 * Needs: apt-get install -y shellcheck
 */
import * as assert from "assert";
import { PROBE_SCRIPT } from "../../components/verify";
import { requireTool, run } from "./tools";

describe("conformance: the verify probe script", () => {
    before(() => requireTool("shellcheck"));

    it("passes shellcheck as POSIX sh", () => {
        const result = run("shellcheck", ["--shell=sh", "--severity=style", "-"], PROBE_SCRIPT);
        assert.strictEqual(result.status, 0, result.output);
    });
});
