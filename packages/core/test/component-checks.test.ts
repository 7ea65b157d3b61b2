import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { BerthValidationError, checkComponent, checkTags, Validator } from "../src/index.js";

const T = "berth:test:Thing";

function failure(fn: () => unknown): BerthValidationError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(BerthValidationError);
    return err as BerthValidationError;
  }
  throw new Error("expected a BerthValidationError");
}

describe("checkComponent: the name and the args object every component gets", () => {
  it.each([
    ["an empty name", "", {}, "name", /give the component a non-empty name/],
    ["a name with a space", "my net", {}, "name", /only ASCII letters, digits/],
    ["a non-ASCII name", "réseau", {}, "name", /only ASCII letters, digits/],
    ["a name starting with '-'", "-net", {}, "name", /starts with a letter or digit/],
    ["args given as a string", "net", "10.0.0.0/16", "args", /give the arguments as an object/],
    ["args given as a list", "net", [1], "args", /give the arguments as an object/],
    ["args given as null", "net", null, "args", /give the arguments as an object/],
  ])("rejects %s", (_title, name, args, field, message) => {
    const err = failure(() => checkComponent(T, name, args));
    expect(err.field).toBe(field);
    expect(err.message).toMatch(message);
    expect(err.message).toContain(T);
  });

  it("accepts a usual name with or without args, and returns a Validator for it", () => {
    expect(checkComponent(T, "web-1.prod_a", undefined)).toBeInstanceOf(Validator);
    expect(checkComponent(T, "web", {}).resource).toBe("web");
  });
});

describe("checkTags: AWS's tag rules before any resource", () => {
  const v = new Validator(T, "x");
  it.each([
    ["a null value (YAML ~)", { Owner: null }, "tags.Owner", /tag value is text/],
    ["a number value", { Cost: 3 }, "tags.Cost", /tag value is text/],
    ["a newline in a value", { Owner: "a\nb" }, "tags.Owner", /at most 256 characters of/],
    ["a value over 256 characters", { Note: "x".repeat(257) }, "tags.Note", /at most 256/],
    ["a key starting with aws:", { "aws:team": "a" }, "tags.aws:team", /reserved for AWS/],
    ["a key starting with AWS: in capitals", { "AWS:team": "a" }, "tags.AWS:team", /reserved for AWS/],
    ["a key over 128 characters", { ["k".repeat(129)]: "a" }, `tags.${"k".repeat(129)}`, /1 to 128/],
    ["a key with a character AWS refuses", { "team#1": "a" }, "tags.team#1", /1 to 128 characters/],
    ["a list", ["a"], "tags", /map of tag keys/],
  ])("rejects %s", (_title, tags, field, message) => {
    const err = failure(() => checkTags(v, "tags", tags));
    expect(err.field).toBe(field);
    expect(err.message).toMatch(message);
  });

  it("rejects more than 50 tags", () => {
    const tags = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, "v"]));
    expect(failure(() => checkTags(v, "tags", tags)).message).toMatch(/at most 50 tags/);
  });

  it("accepts AWS's allowed characters, Unicode letters, empty values and outputs", () => {
    expect(() =>
      checkTags(v, "tags", {
        "cost-center/team": "Équipe plateforme @ acme.com +1 = a:b",
        Empty: "",
        Later: pulumi.output("anything"),
      }),
    ).not.toThrow();
    expect(() => checkTags(v, "tags", undefined)).not.toThrow();
  });
});
