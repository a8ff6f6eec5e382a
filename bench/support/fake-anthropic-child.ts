/**
 * The fake Anthropic upstream in a process of its own, so a benchmark that
 * measures its own CPU (process.cpuUsage) does not count the fake's. Prints
 * its URL as the first line of stdout; exits with its parent's stdin.
 */
import { startFakeAnthropic } from "@/testing/fakes/anthropic";

const fake = await startFakeAnthropic(0);
process.stdout.write(`${fake.url}\n`);
process.stdin.resume();
process.stdin.on("end", () => {
  void fake.close().then(() => process.exit(0));
});
