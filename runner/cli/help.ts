/** Extra help text shown after commander's option list. */
export const RUN_HELP_FOOTER = `
Scenarios (closed loop: C workers, each sends its next request when the previous one ends):
  test1  100 requests @ 1        test2  500 @ 10        test3  1,000 @ 100
  test4  5,000 @ 500             test5  10,000 @ 1,000  all    test1..test5 in order
  A comma list runs several (--scenario test1,test2).

Fan-out scenarios (AppSync mutation -> DynamoDB stream -> SNS -> one SQS queue per task; local stage, or
--stage aws with the fan-out stack's outputs):
  fanout        a mutation every 5 s, 720 iterations, 20 tasks (one hour, as in the article)
  fanout-quick  100 mutations 100 ms apart, 20 tasks (well under a minute)
  --tasks N, --iterations N and --interval MS override the preset. --processor lambda|pipe picks the
  stream processor on the local stage (default lambda; recorded in the run's settings; on AWS the deployed
  one). --fault stop-task,scale,poison injects faults during the run (stop one task at 30 % of the
  mutations, scale +5 at 20 % and back at 60 %, a poison message at 50 %), reported in the run's files.
  Deliveries are journaled as they arrive (journal.jsonl); a run whose runner died is rebuilt from it,
  marked incomplete, by the next run. See docs/fanout.md.

Results: <results-dir>/<stage>/<yyyymmddThhmmssZ>-<scenario>/summary.{json,csv} (fan-out adds
deliveries.csv), written after
every target and tier (an interrupted run keeps its finished tiers and is marked incomplete).
Schema: runner/results/schema.ts.

Load engine: --workers N runs it in N worker threads (connections split, one start instant,
histograms merged); auto = one per 50 connections, at most one per CPU. Each row records the
workers and the generator's health; a tier where the generator was the limit is marked
CLIENT-BOUND (its latency is inflated), and --strict then exits 1. 2xx bodies are checked
(breed and count); a wrong page counts as bad_body, not ok. See docs/runner.md.

Examples:
  node runner --scenario test1                      local stage (started and stopped for you)
  node runner --scenario all --stage aws --outputs outputs.json
  node runner --scenario test3 --rate 200           open loop, 200 req/s
  node runner --scenario fanout-quick               fan-out delivery, 20 local tasks
  node runner --scenario fanout-quick --processor pipe   the same through the EventBridge Pipe's input template
  node runner --scenario fanout --stage aws --outputs outputs.json --fault stop-task,scale,poison
  node runner diff results/local/RUN_A results/local/RUN_B --format md
  node runner report results/local/RUN              report.html in the run folder (written after every run unless --no-report)
  node runner report --history results/local        history.html: p50/p99 per backend and tier across the runs
  node runner parity --stage aws --outputs outputs.json   all backends answer identically? (before measuring)
  node runner stage                                 keep the local stage up, print its endpoints
  node runner seed --stage aws --outputs outputs.json
`;

export const DIFF_HELP_FOOTER = `
Compares two runs (folders or summary.json files) per tier and target: avg, p50 and p99 latency
and success rate, with the relative change. A change is marked "~ noise" when its 95% bootstrap
interval (resampled from the two stored HDR histograms) contains zero; success rates use a
Newcombe interval (from two Wilson score intervals) for the difference of two proportions.
--html FILE also writes the comparison as charts to FILE (one self-contained page).
`;

export const REPORT_HELP_FOOTER = `
Reports are single self-contained HTML files (Chart.js and the data inline; they open from disk
with no network), built from the result files only, so any committed run can be reported again.
  node runner report results/local/RUN          writes results/local/RUN/report.html
  node runner report --history results/local    writes results/local/history.html
`;

export const CALIBRATE_HELP_FOOTER = `
Starts a delay server in its own process (answers after --delay-ms with a --body-kb JSON body),
measures its real latency with one connection, then per worker count doubles the concurrency until
p50 exceeds that latency by more than --tolerance (or a request fails), and bisects. Bounded: at most
12 probes and --budget seconds per worker count. Prints the answer and a recommendation and writes
.sst/calibration/<machine-id>.json; every later run records it in summary.json (provenance.calibration).
  node runner calibrate                              60 ms, 35 KiB, workers 1..cores
  node runner calibrate --delay-ms 20 --body-kb 4 --workers 1
`;
