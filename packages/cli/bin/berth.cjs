#!/usr/bin/env node
// The `berth` command. A committed file, so that pnpm can link it at install time, before the
// package is built; the command itself is the compiled dist/bin.js.
require("../dist/bin.js");
