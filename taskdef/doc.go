// Package taskdef reads Amazon ECS task definitions and services from the
// shapes people keep them in (RegisterTaskDefinition input, DescribeTaskDefinition
// output, CloudFormation templates in JSON or YAML, CreateService input,
// DescribeServices output, and the live ECS API) into one normalized model in
// which every value remembers the file, line and column it came from.
//
// Reading is strict: unknown keys and wrong types are errors that name the
// position and suggest the nearest valid key. Values that cannot be known
// statically (CloudFormation expressions, ${VAR} and {{ ... }} templates) are
// kept as explicit unresolved values rather than guessed.
//
// The package also holds the Fargate facts (cpu/memory table, OS families,
// platform versions) and the capacity-provider spread estimate.
package taskdef
