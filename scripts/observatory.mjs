// The MDN HTTP Observatory's grade for a site on loopback (make test-prod).
//
//   NODE_EXTRA_CA_CERTS=var/tls/ca.pem node scripts/observatory.mjs localhost 8080 8443
//
// Its own CLI (src/scan.js) scans only the standard ports; this is its scan()
// (src/scanner/index.js: the same tests, the same grader, the same extra credit) with
// the ports passed to its retriever, which takes them. Prints the grade, the score and
// each test's result as JSON.
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

// The package's install script downloads Chromium's HSTS preload list, which a test
// machine here cannot reach (npm ci --ignore-scripts, scripts/ensure-browser). The
// list only gives credit to a host that is on it, and no loopback name is: an empty
// list gives a loopback site the grade the real one would.
const require = createRequire(import.meta.url);
const packageDir = path.dirname(require.resolve("@mdn/mdn-http-observatory/package.json"));
const preload = path.join(packageDir, "conf", "hsts-preload.json");
if (!fs.existsSync(preload)) fs.writeFileSync(preload, "{}\n");

const { retrieve } = await import("@mdn/mdn-http-observatory/src/retriever/retriever.js");
const { ALL_TESTS } = await import("@mdn/mdn-http-observatory/src/constants.js");
const { MINIMUM_SCORE_FOR_EXTRA_CREDIT } = await import(
  "@mdn/mdn-http-observatory/src/grader/charts.js"
);
const { getGradeForScore, getScoreModifier } = await import(
  "@mdn/mdn-http-observatory/src/grader/grader.js"
);

const [host, httpPort, httpsPort] = process.argv.slice(2);
const retrieved = await retrieve(host, { httpPort, httpsPort });
if (!retrieved.responses.auto) {
  console.log(JSON.stringify({ error: "The site seems to be down." }));
  process.exit(1);
}
let withExtraCredit = 100;
let uncurved = 100;
const tests = {};
for (const test of ALL_TESTS) {
  const outcome = test(retrieved);
  const modifier = getScoreModifier(outcome.result);
  withExtraCredit += modifier;
  if (modifier < 0) uncurved += modifier;
  tests[outcome.constructor.name] = { result: outcome.result, pass: outcome.pass, modifier };
}
const score = uncurved >= MINIMUM_SCORE_FOR_EXTRA_CREDIT ? withExtraCredit : uncurved;
const { grade } = getGradeForScore(score);
console.log(JSON.stringify({ grade, score, status: retrieved.responses.auto.status, tests }));
