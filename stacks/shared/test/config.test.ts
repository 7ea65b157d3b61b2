import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { runStack } from "@berth/testing";
import { afterAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";

const projectDir = resolve(__dirname, "..");
const base = parse(readFileSync(join(projectDir, "Pulumi.shared.yaml"), "utf8")) as {
  config: Record<string, unknown>;
};
const tmp = mkdtempSync(join(tmpdir(), "berth-shared-config-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

type Config = Record<string, Record<string, unknown>>;
type Edit = (config: Config) => void;

/** Writes Pulumi.shared.yaml with one change into a folder of its own; returns its path. */
function writeVariant(name: string, edit: Edit): string {
  const config = structuredClone(base.config) as Config;
  edit(config);
  const dir = mkdtempSync(join(tmp, `${name.replace(/[^a-z0-9]+/gi, "-")}-`));
  const file = join(dir, "Pulumi.shared.yaml");
  writeFileSync(file, stringify({ config }));
  return file;
}

function runWith(name: string, edit: Edit) {
  return runStack(projectDir, "shared", { configFile: writeVariant(name, edit), allowError: true });
}

const cases: { name: string; edit: Edit; message: RegExp }[] = [
  {
    name: "an unknown top-level key (typo)",
    edit: (c) => {
      c["berth-shared:costCentre"] = c["berth-shared:costCenter"];
    },
    message: /berth-shared:costCentre is not a known key; known keys: accountId, owner, costCenter, /,
  },
  {
    name: "an unknown nested key (typo)",
    edit: (c) => {
      c["berth-shared:registry"].scaning = "enhanced";
    },
    message: /berth-shared:registry\.scaning is not a known key; known keys: scanning, scanFrequency, /,
  },
  {
    name: "a value outside an enum",
    edit: (c) => {
      c["berth-shared:registry"].scanning = "deep";
    },
    message: /berth-shared:registry\.scanning is "deep"; allowed: "basic", "enhanced"/,
  },
  {
    name: "comment approval turned off",
    edit: (c) => {
      c["berth-shared:previews"].commentApproval = "NO_APPROVAL";
    },
    message:
      /berth-shared:previews\.commentApproval is "NO_APPROVAL"; allowed: "FORK_PULL_REQUESTS", "ALL_PULL_REQUESTS"/,
  },
  {
    name: "a missing required key",
    edit: (c) => {
      delete c["berth-shared:state"].bucket;
    },
    message: /berth-shared:state\.bucket is missing; expected an S3 bucket name/,
  },
  {
    name: "the state key, which no role of this stack uses any more",
    edit: (c) => {
      c["berth-shared:state"].keyArn =
        "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    },
    message: /berth-shared:state\.keyArn is not a known key; known keys: bucket/,
  },
  {
    name: "one secrets provider for every environment (each has its own key now)",
    edit: (c) => {
      c["berth-shared:state"].secretsProvider = "awskms://alias/berth-pulumi-secrets?region=us-east-1";
    },
    message: /berth-shared:state\.secretsProvider is not a known key; known keys: bucket/,
  },
  {
    name: "a commit image count the Registry refuses",
    edit: (c) => {
      c["berth-shared:registry"].keepCommitImages = 0;
    },
    message: /berth-shared:registry\.keepCommitImages is 0; expected a whole number from 1 to 10000/,
  },
  {
    name: "an external id IAM refuses (it would also add a line to the deploy profile)",
    edit: (c) => {
      (c["berth-shared:pipeline"].deployExternalIds as Record<string, string>).prod = "x\nrole_arn = evil";
    },
    message:
      /berth-shared:pipeline\.deployExternalIds\.prod is "x\\nrole_arn = evil"; expected an external id/,
  },
  {
    name: "a comment author that is not a GitHub login",
    edit: (c) => {
      c["berth-shared:previews"].commentAuthor = "bot; rm -rf /";
    },
    message: /berth-shared:previews\.commentAuthor is "bot; rm -rf \/"; expected a GitHub login/,
  },
  {
    name: "Docker Hub credentials in another account than the pull-through cache rule",
    edit: (c) => {
      c["berth-shared:registry"].dockerHubCredentialArn =
        "arn:aws:secretsmanager:us-east-1:999999999999:secret:ecr-pullthroughcache/docker-hub-AbCdEf";
    },
    message:
      /berth-shared:registry\.dockerHubCredentialArn is in account 999999999999; .*must be in accountId 123456789012$/,
  },
  {
    name: "Docker Hub credentials in another region than the pull-through cache rule",
    edit: (c) => {
      c["berth-shared:registry"].dockerHubCredentialArn =
        "arn:aws:secretsmanager:eu-west-1:123456789012:secret:ecr-pullthroughcache/docker-hub-AbCdEf";
    },
    message:
      /berth-shared:registry\.dockerHubCredentialArn is in region eu-west-1; .*must be in aws:region us-east-1$/,
  },
  {
    name: "a missing required top-level key",
    edit: (c) => {
      delete c["berth-shared:owner"];
    },
    message: /berth-shared:owner is missing; expected a tag value: 1 to 256 characters/,
  },
  {
    name: "a missing region",
    edit: (c) => {
      delete c["aws:region"];
    },
    message: /aws:region is missing; expected an AWS region name/,
  },
  {
    name: "a malformed connection ARN",
    edit: (c) => {
      c["berth-shared:source"].connectionArn =
        "arn:aws:codestar-connections:us-east-1:123456789012:connection/main";
    },
    message: /berth-shared:source\.connectionArn is ".*connection\/main"; expected a CodeStar connection ARN/,
  },
  {
    name: "a KMS alias where the key ARN belongs",
    edit: (c) => {
      c["berth-shared:registry"].kmsKeyArn = "arn:aws:kms:us-east-1:123456789012:alias/berth-registry";
    },
    message:
      /berth-shared:registry\.kmsKeyArn is ".*alias\/berth-registry"; expected a KMS key ARN .*not an alias/,
  },
  {
    name: "an account id with 11 digits",
    edit: (c) => {
      c["berth-shared:accounts"].prod = "21098765432";
    },
    message: /berth-shared:accounts\.prod is "21098765432"; expected a 12-digit AWS account id/,
  },
  {
    name: "a wrong type (text for a number)",
    edit: (c) => {
      c["berth-shared:registry"].keepReleaseImages = "thirty";
    },
    message: /berth-shared:registry\.keepReleaseImages is "thirty"; expected a whole number from 1 to 10000/,
  },
  {
    name: "a wrong type (text for a boolean)",
    edit: (c) => {
      c["berth-shared:registry"].ecrPublicCache = "yes";
    },
    message: /berth-shared:registry\.ecrPublicCache is "yes"; expected true or false/,
  },
  {
    name: "a wrong type (a list for an object)",
    edit: (c) => {
      c["berth-shared:source"] = ["acme/berth"] as unknown as Record<string, unknown>;
    },
    message:
      /berth-shared:source is \["acme\/berth"\]; expected an object with connectionArn, repository, branch/,
  },
  {
    name: "a release prefix that would select commit-SHA images",
    edit: (c) => {
      c["berth-shared:registry"].releaseTagPrefixes = ["v", "a1"];
    },
    message: /berth-shared:registry\.releaseTagPrefixes\[1\] is "a1"; expected .*cannot match a commit SHA/,
  },
  {
    name: "a connection in another account than the stack's",
    edit: (c) => {
      c["berth-shared:source"].connectionArn =
        "arn:aws:codestar-connections:us-east-1:999999999999:connection/8f0c1c1e-4a4b-4b7e-9a59-0d3c5e2f1a7b";
    },
    message:
      /berth-shared:source\.connectionArn is in account 999999999999; .*must be accountId 123456789012/,
  },
  {
    name: "a scan frequency without enhanced scanning",
    edit: (c) => {
      c["berth-shared:registry"].scanFrequency = "CONTINUOUS_SCAN";
    },
    message: /berth-shared:registry\.scanFrequency is only allowed with registry\.scanning: "enhanced"/,
  },
  {
    name: "an owner with a newline (AWS refuses it as a tag value)",
    edit: (c) => {
      (c as Record<string, unknown>)["berth-shared:owner"] = "platform\nteam";
    },
    message:
      /berth-shared:owner is "platform\\nteam"; a tag value is at most 256 characters of Unicode letters, digits, spaces and _ \. : \/ = \+ - @/,
  },
  {
    name: "an owner of ~ (it would become the tag Owner=null)",
    edit: (c) => {
      (c as Record<string, unknown>)["berth-shared:owner"] = null;
    },
    message: /berth-shared:owner is ~ \(null\); expected a tag value/,
  },
  {
    name: "an extra tag value with a character AWS refuses",
    edit: (c) => {
      c["berth-shared:tags"] = { Team: "a;b" };
    },
    message: /berth-shared:tags\.Team is "a;b"; a tag value is at most 256 characters of /,
  },
  {
    name: "a preview role keyed by an account id but in another account",
    edit: (c) => {
      (c["berth-shared:previews"].roleArns as Record<string, string>)["210987654321"] =
        "arn:aws:iam::999999999999:role/berth-preview-prod";
    },
    message:
      /\/Pulumi\.shared\.yaml: berth-shared:previews\.roleArns\.210987654321 is "arn:aws:iam::999999999999:role\/berth-preview-prod", a role in account 999999999999; the key is account 210987654321, so the role must be arn:aws:iam::210987654321:role\/<name>$/,
  },
  {
    name: "a preview role for an environment outside that environment's account",
    edit: (c) => {
      (c["berth-shared:previews"].roleArns as Record<string, string>)["berth-platform/prod"] =
        "arn:aws:iam::123456789012:role/berth-preview-prod";
    },
    message:
      /\/Pulumi\.shared\.yaml: berth-shared:previews\.roleArns\.berth-platform\/prod is "arn:aws:iam::123456789012:role\/berth-preview-prod", a role in account 123456789012; prod runs in account 210987654321 \(accounts\.prod\), so the role must be arn:aws:iam::210987654321:role\/<name>$/,
  },
  {
    name: "Docker Hub credentials in a secret ECR's pull-through cache cannot use",
    edit: (c) => {
      (c["berth-shared:registry"] as Record<string, unknown>).dockerHubCredentialArn =
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:dockerhub-AbCdEf";
    },
    message:
      /berth-shared:registry\.dockerHubCredentialArn is "arn:aws:secretsmanager:us-east-1:123456789012:secret:dockerhub-AbCdEf"; .*name starts with ecr-pullthroughcache\//,
  },
  {
    name: "a standard tag overridden in tags",
    edit: (c) => {
      c["berth-shared:tags"] = { Owner: "someone-else" };
    },
    message: /berth-shared:tags\.Owner is set by the stack itself; allowed: any key except Project, /,
  },
];

describe("invalid Pulumi.shared.yaml", () => {
  it.each(cases)(
    "rejects $name, naming the file, the key and what is allowed",
    async ({ name, edit, message }) => {
      const run = await runWith(name, edit);
      expect(run.error?.name).toBe("ConfigError");
      // The message names the file the run read: the variant, not the stack's own file.
      expect(run.error?.message.startsWith(`${tmp}`)).toBe(true);
      expect(run.error?.message).toMatch(/\/Pulumi\.shared\.yaml: /);
      expect(run.error?.message).toMatch(message);
      // checked when the program starts: nothing but the stack itself was registered
      expect(run.resources.filter((r) => r.type !== "pulumi:pulumi:Stack")).toEqual([]);
    },
  );

  it("accepts a preview role keyed by its own account id, and one for a project of another program", async () => {
    const run = await runWith("roles", (c) => {
      Object.assign(c["berth-shared:previews"].roleArns as Record<string, string>, {
        "210987654321": "arn:aws:iam::210987654321:role/berth-preview",
        "other-project/qa": "arn:aws:iam::555555555555:role/preview-qa",
      });
    });
    expect(run.error).toBeUndefined();
  });

  it("accepts a minimal file that relies on every default", async () => {
    const run = await runWith("minimal", (c) => {
      delete c["berth-shared:registry"];
      delete c["berth-shared:accounts"];
      delete c["berth-shared:source"].branch;
      delete c["berth-shared:previews"].commentApproval;
      // prod now runs in this account: a role in the former prod account would not preview it.
      delete c["berth-shared:previews"].roleArns;
    });
    expect(run.error).toBeUndefined();
    // all environments in the stack's own account: no cross-account repository policy, no cache rule
    expect(run.ofType("aws:ecr/repositoryPolicy:RepositoryPolicy")).toHaveLength(0);
    expect(run.ofType("aws:ecr/pullThroughCacheRule:PullThroughCacheRule")).toHaveLength(0);
    expect(run.outputs.deployRoleArns).toMatchObject({
      prod: "arn:aws:iam::123456789012:role/berth-deploy-prod",
    });
  });

  it("keeps the newest registry.keepCommitImages git-<commit> images per repository", async () => {
    const run = await runWith("commits", (c) => {
      c["berth-shared:registry"].keepCommitImages = 50;
    });
    expect(run.error).toBeUndefined();
    for (const p of run.ofType("aws:ecr/lifecyclePolicy:LifecyclePolicy")) {
      const { rules } = run.json(p, "policy") as {
        rules: { selection: { tagPrefixList?: string[]; countType: string; countNumber: number } }[];
      };
      const commits = rules.filter((r) => r.selection.tagPrefixList?.includes("git-"));
      expect(commits.map((r) => [r.selection.countType, r.selection.countNumber])).toEqual([
        ["imageCountMoreThan", 50],
      ]);
    }
  });

  it("switches to enhanced scanning from config", async () => {
    const run = await runWith("enhanced", (c) => {
      c["berth-shared:registry"].scanning = "enhanced";
      c["berth-shared:registry"].scanFrequency = "CONTINUOUS_SCAN";
    });
    expect(run.error).toBeUndefined();
    const scanning = run.one("aws:ecr/registryScanningConfiguration:RegistryScanningConfiguration");
    expect(scanning.inputs.scanType).toBe("ENHANCED");
    expect(JSON.stringify(scanning.inputs.rules)).toContain("CONTINUOUS_SCAN");
  });
});

describe("the file berth preview read, as it is", () => {
  it("names a .nan in the --config-file file, with nothing created", async () => {
    const file = join(tmp, "nan.yaml");
    writeFileSync(
      file,
      readFileSync(join(projectDir, "Pulumi.shared.yaml"), "utf8").replace(
        "keepReleaseImages: 30",
        "keepReleaseImages: .nan",
      ),
    );
    const berth = join(projectDir, "..", "..", "packages", "cli", "bin", "berth.cjs");
    const result = spawnSync(
      process.execPath,
      [berth, "preview", "-C", projectDir, "-s", "shared", "--config-file", file, "--json"],
      { encoding: "utf8", maxBuffer: 16 * 1024 * 1024 },
    );
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(
      `error: ${file}: berth-shared:registry.keepReleaseImages is .nan, which is not a finite number; expected a whole number from 1 to 10000\n`,
    );
    const digest = JSON.parse(result.stdout) as { steps: { newState: { type: string } }[] };
    expect(digest.steps.map((s) => s.newState.type)).toEqual(["pulumi:pulumi:Stack"]);
  });
});
