/**
 * The policy pack as `pulumi policy publish` ships it: `npm pack` of policies/ (what the
 * Pulumi Cloud stores), unpacked in an empty folder, its dependencies installed (the packed
 * dualstack package standing in for the registry's), then started by Pulumi's own policy
 * host (`@pulumi/pulumi/cmd/run-policy-pack`), which compiles index.ts with type checking.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { policies } from "../components/policies";
import { packedPackage, ROOT, runOk } from "./support/packed";
import { PolicyServer } from "./support/policyServer";
import { SLAAC_SUBNET_NOT_64 } from "./support/policyStacks";

/** Every installed copy of a package under `dir`. */
function copiesOf(dir: string, name: string): string[] {
    const found: string[] = [];
    const walk = (modules: string) => {
        if (!fs.existsSync(modules)) return;
        if (fs.existsSync(path.join(modules, name, "package.json"))) found.push(path.join(modules, name));
        for (const entry of fs.readdirSync(modules)) {
            const scoped = entry.startsWith("@") ? fs.readdirSync(path.join(modules, entry)).map((e) => path.join(modules, entry, e)) : [path.join(modules, entry)];
            for (const pkg of scoped) walk(path.join(pkg, "node_modules"));
        }
    };
    walk(path.join(dir, "node_modules"));
    return found;
}

describe("the policy pack, packed and installed in an empty folder", function () {
    this.timeout(600_000);
    let tmp: string;
    let pack: string;
    let files: string[];

    /** Start the pack as Pulumi's Node.js host does for an analyzer plugin. */
    const host = (dir: string) => PolicyServer.spawn([path.join(dir, "node_modules", "@pulumi", "pulumi", "cmd", "run-policy-pack"), "127.0.0.1:1", dir], dir);

    before(() => {
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "dualstack-policy-pack-"));
        runOk("npm", ["pack", "--pack-destination", tmp], path.join(ROOT, "policies"));
        const tarball = path.join(tmp, fs.readdirSync(tmp).find((f) => f.endsWith(".tgz")) as string);
        files = runOk("tar", ["tzf", tarball], tmp).split("\n").filter(Boolean).map((f) => f.replace(/^package\//, "")).sort();
        pack = path.join(tmp, "pack");
        fs.mkdirSync(pack);
        runOk("tar", ["xzf", tarball, "--strip-components=1", "-C", pack], tmp);
        // As the Pulumi Cloud installs a published pack; the registry's dualstack is this build.
        runOk("npm", ["install", "--no-save", "--no-audit", "--no-fund", "--prefer-offline", packedPackage()], pack, 400_000);
    });
    after(() => {
        if (tmp !== undefined) fs.rmSync(tmp, { recursive: true, force: true });
    });

    it("ships its own files only: the rules come from the dualstack package", () => {
        assert.deepStrictEqual(files, ["PulumiPolicy.yaml", "config.json", "index.ts", "package.json", "tsconfig.json"]);
    });

    it("installs one copy each of dualstack, @pulumi/pulumi and @pulumi/policy", () => {
        for (const name of ["dualstack", "@pulumi/pulumi", "@pulumi/policy"]) assert.strictEqual(copiesOf(pack, name).length, 1, name);
    });

    it("loads type-checked under Pulumi's policy host and enforces the package's policies", async () => {
        const server = await host(pack);
        try {
            const info = await server.info();
            assert.strictEqual(info.name, "dualstack");
            assert.deepStrictEqual(info.policies.map((p) => [p.name, p.level]), policies.map((p) => [p.name, p.enforcementLevel]));
            const found = await server.analyze(...SLAAC_SUBNET_NOT_64);
            assert.deepStrictEqual(found.map((d) => [d.policy, d.level]), [["neutron-subnet-accepted", "mandatory"]]);
        } finally {
            server.stop();
        }
    });

    it("is refused by the host when index.ts does not type-check (the check is real)", async () => {
        const broken = path.join(tmp, "broken");
        fs.cpSync(pack, broken, { recursive: true, verbatimSymlinks: true });
        fs.appendFileSync(path.join(broken, "index.ts"), '\nconst port: number = "6443";\nexport { port };\n');
        await assert.rejects(host(broken), /TS2322: Type 'string' is not assignable to type 'number'/);
    });
});
