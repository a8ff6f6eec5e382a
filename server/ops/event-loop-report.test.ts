import { describe, expect, it } from "vitest";
import { startEventLoopReport } from "./event-loop-report";

describe("the event-loop report", () => {
  it("prints a line per interval, and a blocked loop shows in its delay", async () => {
    const lines: string[] = [];
    const stop = startEventLoopReport(300, (line) => lines.push(line));
    await new Promise((resolve) => setTimeout(resolve, 50));
    // block the loop for ~120 ms: the histogram must see a delay at least that long
    const until = Date.now() + 120;
    while (Date.now() < until) {}
    await new Promise((resolve) => setTimeout(resolve, 700));
    stop();
    expect(lines.length).toBeGreaterThanOrEqual(1);
    const reports = lines.map((line) => JSON.parse(line.replace("[arbor] event-loop ", "")) as { maxMs: number; rssMb: number });
    expect(Math.max(...reports.map((r) => r.maxMs))).toBeGreaterThanOrEqual(90);
    expect(reports[0]?.rssMb).toBeGreaterThan(0);
  });

  it("prints the memory at once on SIGUSR2", async () => {
    const lines: string[] = [];
    const stop = startEventLoopReport(60_000, (line) => lines.push(line));
    process.kill(process.pid, "SIGUSR2");
    await new Promise((resolve) => setTimeout(resolve, 100));
    stop();
    const memory = lines.find((line) => line.startsWith("[arbor] memory "));
    expect(JSON.parse(memory?.replace("[arbor] memory ", "") ?? "{}")).toMatchObject({ rssMb: expect.any(Number), heapUsedMb: expect.any(Number) });
  });
});
