// Package verify decides whether container images will start on an ECS
// task, and says why not.
//
// # Engine
//
// Run (or RunAll, for a fleet of task definitions sharing one blob cache)
// takes an Input: the task definition and service when there are any, the
// Subjects (which image each container is verified with; PairImages builds
// them) and, in image-only mode, the platforms to check. Options say how
// images are read and the lowest Severity that fails the run.
//
// The run first applies the rules that need no image, once per task
// definition. Then, for every subject, it opens the image (once per
// reference and run) and checks one Target per platform: the task's
// runtimePlatform, or in image-only mode the platforms asked for or every
// runnable platform of the image. A target lists in Checks the rule
// families that ran to completion on it.
//
// Rules report Findings: a rule ID, its severity, the container and
// platform, a one-line message, the evidence and a fix. Whatever stops a
// check from running (a registry, network or auth error, a digest
// mismatch, a header that could not be read, an input value that is still
// a template, a case the model does not cover) is a Problem instead, and
// the rest of that target is not judged. Report.Finish turns them into the
// verdict:
//
//   - "error" (VerdictCouldNotVerify) when there is any problem or no
//     target at all;
//   - "fail" (VerdictFindings) when a finding is at or above the fail-on
//     severity;
//   - "pass" (VerdictPass) otherwise.
//
// What a verdict means for a program is the program's: imgcheck maps them
// to its exit codes and records the code in Report.ExitCode.
//
// The engine fails closed: what cannot be determined is a problem, never a
// pass and never a guessed finding. Render writes a report as text, JSON,
// SARIF, JUnit or GitHub annotations.
//
// # Rule families
//
// Every rule is described once, in ruleTable (rules.go): ID, family,
// severity, title and help. IDs are IC plus three digits, the first naming
// the family. docs/rules.md is generated from the table.
//
//   - platform (IC1xx, rules_platform.go; platform selection in check.go):
//     the image has a manifest for the task's platform and the manifest
//     agrees with its config.
//   - entrypoint (IC2xx, rules_entrypoint.go): what the runtime executes
//     exists, is executable, and the kernel can run it on the platform
//     (ELF machine, PT_INTERP, #! interpreters, PE on Windows); the run
//     user may execute it, its interpreters, and read what must be read
//     (runuser.go); and the dynamic loader, emulated by image/ldso over
//     the image (Image.LoaderFS), loads every library a dynamic ELF needs
//     with the symbol versions it needs (rules_start.go, which the health
//     check shares with its own rule IDs).
//   - task (IC3xx): the task definition on its own (rules_task.go), against
//     Fargate (rules_fargate.go; what registration refuses for a task that
//     lists FARGATE in rules_fargate_task.go), and the container definition
//     against the image: health check, user, size (rules_container.go).
//   - service (IC4xx): a service's capacity providers and load balancers
//     against the task definition (rules_fargate.go), its launch types,
//     network configuration, placement and DAEMON scheduling
//     (rules_service.go), and the target groups of its template
//     (rules_targetgroup.go).
//   - online (IC5xx, rules_online.go and rules_online_lb.go; only with
//     Options.Online): what the task definition and service name, asked of
//     AWS through the injected online.Clients: roles and their trust,
//     secrets and parameters (metadata only), awslogs groups, target
//     groups, ECR images and their scans. A lookup AWS answers with "does
//     not exist" is a finding; any other failure is a problem.
//
// The launch types a service places tasks with (from launchType,
// capacityProviderStrategy or the cluster's default strategy) and its
// deployment controller are worked out once, in the task facts
// (launchFacts, facts.go); every rule that depends on the launch type reads
// them, and ruleLaunchTypes documents where each rule applies. When the
// launch type rests on a cluster default that is not known, and a FARGATE or
// capacity provider default would change the verdict, the run cannot
// verify (launchAssumptionProblems).
//
// The run user is the task's user, else the image's USER, else root
// (checker.runUser). It is resolved with the runtime's rules
// (image.ResolveUser) only as far as a check needs: root by default and a
// numeric uid read no file unless a permission depends on the groups
// /etc/passwd and /etc/group would give, so a static binary costs no more
// bytes. A user the runtime refuses is IC310 and no permission is judged
// (runuser.go). Whatever cannot be settled (a permission on metadata not
// read, a loader outcome the emulation cannot predict, a loader variable
// from a secret) is a problem, never a pass.
//
// Every rule is a method on *checker, the context of one run of rules
// (the online rules on *onlineChecker, which embeds it and adds the AWS
// lookups; they run once per task definition, beside the images).
// Task, Fargate and service rules run once per task definition on a checker
// with only the task facts (taskLevelFindings); platform, entrypoint and
// container rules run on a checker for one image, platform and container
// (checker.run). A rule reports with
//
//	c.add("IC203", Finding{Message: ..., Evidence: ..., Fix: ..., Location: ...})
//
// and add takes the rule ID and severity from the table (newFinding); no
// rule writes a severity. A rule that cannot decide returns an errCheck
// (or the image error), which becomes a problem.
//
// # Adding a rule
//
//  1. Add an entry to ruleTable with the next free ID of its family (IDs
//     are stable: never reuse or renumber one).
//  2. Write the check as a checker method in its family's file and call it
//     from the family's entry (taskRules, fargateRules, serviceRules,
//     platformRules, entrypointRules or containerRules).
//  3. Regenerate docs/rules.md from the table (command below); a test
//     fails while the two differ.
//  4. Add a test case that fires the rule and one that does not, next to
//     the family's tests. TestRuleIDsInCodeAreInTheTable fails while the
//     code uses an ID the table lacks or the table has a rule no code uses.
//
// To regenerate docs/rules.md:
//
//	go test ./verify -run TestRulesAreWellFormedAndDocumented -update
package verify
