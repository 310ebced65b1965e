#!/usr/bin/env node
// The `dualstack` command. In a source checkout (cli/main.ts next to this file) it runs the
// TypeScript through ts-node, so that it never runs a stale build; an installed package
// ships no sources and runs the compiled CLI in dist/ (`npm run build`).
"use strict";
const fs = require("fs");
const path = require("path");

const root = path.join(__dirname, "..");
const source = path.join(root, "cli", "main.ts");
const compiled = path.join(root, "dist", "cli", "main.js");

function canRunSource() {
    if (!fs.existsSync(source)) return false;
    try {
        require.resolve("ts-node", { paths: [root] });
        return true;
    } catch {
        // A checkout installed without devDependencies: only the build can run.
        return false;
    }
}

function loadCli() {
    if (canRunSource()) {
        require(require.resolve("ts-node", { paths: [root] })).register({
            transpileOnly: true,
            project: path.join(root, "tsconfig.json"),
        });
        return require(source);
    }
    if (fs.existsSync(compiled)) return require(compiled);
    process.stderr.write(`dualstack: ${compiled} is missing; run \`npm run build\` in ${root}.\n`);
    process.exit(2);
}

loadCli().main(process.argv.slice(2)).then(
    (code) => {
        process.exitCode = code;
    },
    (e) => {
        process.stderr.write(`dualstack: ${(e && e.stack) || String(e)}\n`);
        process.exitCode = 2;
    },
);
