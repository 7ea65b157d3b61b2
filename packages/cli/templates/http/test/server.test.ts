import http from "node:http";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../src/config";
import type { Logger } from "../src/log";
import { start } from "../src/server";

function get(port: number, path: string): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: "127.0.0.1", port, path, agent: false }, (res) => {
        let text = "";
        res.setEncoding("utf8").on("data", (chunk: string) => {
          text += chunk;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
      })
      .on("error", reject);
  });
}

describe("{{name}}", () => {
  it("answers /healthz and its own path, then drains and stops on shutdown", async () => {
    const lines: string[] = [];
    const logger: Logger = {
      info: (msg) => lines.push(msg),
      warn: (msg) => lines.push(msg),
      error: (msg) => lines.push(msg),
    };
    const server = await start(loadConfig({ HOST: "127.0.0.1", PORT: "0" }), logger);
    const { port } = server.address;
    expect(await get(port, "/healthz")).toEqual({ status: 200, body: { status: "ok" } });
    expect(await get(port, "/{{name}}/x")).toEqual({
      status: 200,
      body: { service: "{{name}}", path: "/{{name}}/x" },
    });
    expect(await server.shutdown("test")).toBe(0);
    expect(lines[0]).toBe("listening");
    expect(lines.at(-1)).toBe("shutdown complete");
  });
});
