#!/usr/bin/env node
// `pnpm run bootstrap`: sets up a fresh clone. Installs the workspace from the lockfile, then
// makes sure shellcheck is there (the buildspec tests run it on every CodeBuild command):
// Debian/Ubuntu through apt-get (as root, or with sudo), macOS through Homebrew.
import { spawnSync } from "node:child_process";

const run = (cmd, args) => spawnSync(cmd, args, { stdio: "inherit" }).status === 0;
const has = (cmd) => spawnSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" }).status === 0;

if (!run("pnpm", ["install", "--frozen-lockfile"])) process.exit(1);

if (has("shellcheck")) process.exit(0);
let installed = false;
if (process.platform === "linux" && has("apt-get")) {
  const sudo = process.getuid?.() === 0 ? [] : ["sudo"];
  const apt = (args) => (sudo.length ? run("sudo", ["apt-get", ...args]) : run("apt-get", args));
  installed = apt(["update", "-qq"]) && apt(["install", "-y", "-qq", "shellcheck"]);
} else if (process.platform === "darwin" && has("brew")) {
  installed = run("brew", ["install", "shellcheck"]);
}
if (!installed) {
  console.error(
    "bootstrap: shellcheck is not installed and could not be installed here; install it with your " +
      "package manager (Debian: apt-get install shellcheck) before `pnpm test`. The offline preview does not need it.",
  );
}
