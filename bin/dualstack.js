#!/usr/bin/env node
// The `dualstack` command. From an installed package it runs the compiled CLI in dist/;
// in a source checkout (no dist/) it runs the TypeScript directly through ts-node.
"use strict";
const fs = require("fs");
const path = require("path");

const root = path.join(__dirname, "..");
const compiled = path.join(root, "dist", "cli", "main.js");
let cli;
if (fs.existsSync(compiled) && !process.env.DUALSTACK_FROM_SOURCE) {
    cli = require(compiled);
} else {
    require("ts-node").register({ transpileOnly: true, project: path.join(root, "tsconfig.json") });
    cli = require(path.join(root, "cli", "main.ts"));
}
cli.main(process.argv.slice(2)).then(
    (code) => {
        process.exitCode = code;
    },
    (e) => {
        process.stderr.write(`dualstack: ${(e && e.stack) || String(e)}\n`);
        process.exitCode = 2;
    },
);
